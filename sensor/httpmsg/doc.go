// Package httpmsg picks apart the first segment of an HTTP/1.x request or
// response the way Maltrail's sensor does (old/sensor.py _process_packet),
// without reassembly and without allocating: every field is a slice of the
// captured payload.
//
// Where this package is stricter or broader than Maltrail, it says so on
// the field. In short: header names match case-insensitively (Maltrail
// searches for "\r\nHost:" and friends verbatim), headers are read only
// from the header block (Maltrail also finds them in a body), and like
// Maltrail a header counts only when the CRLF ending its line was
// captured. Lines must end in CRLF; bare-LF messages are not HTTP here,
// as in Maltrail.
package httpmsg
