package httpmsg

import "bytes"

var httpSlash = []byte("HTTP/")

// Request is the start of an HTTP request as captured in one TCP segment.
// All slices alias the payload given to Parse and are only valid as long
// as it is.
type Request struct {
	// Method, Target and Version are the three fields of the request
	// line. Target is as on the wire: an origin-form path, an absolute
	// URI (proxy request) or a CONNECT authority; not lowercased.
	Method, Target, Version []byte

	// Host, UserAgent and ContentType are the values of the first header
	// of that name (matched case-insensitively), trimmed of whitespace as
	// Python's str.strip() trims. HasHost and HasUserAgent tell an empty
	// value from an absent header. A header whose line ends beyond the
	// captured bytes is absent, as in Maltrail (which then falls back to
	// the destination IP for the host; note that Maltrail's missing-Host
	// heuristic does not fire in that case, while HasHost is false).
	Host, UserAgent, ContentType []byte
	HasHost, HasUserAgent        bool

	// ForwardedFor is the first dotted-quad IPv4 address found in the
	// CF-Connecting-IP, True-Client-IP and X-Forwarded-For headers, in
	// header order, for Maltrail's "src,forwarded" attribution. Maltrail
	// takes the leading [0-9.]+ run of the first such header anywhere in
	// the packet; this also skips non-IPv4 list elements ("unknown",
	// IPv6) and ignores the body.
	ForwardedFor []byte

	// Body is what was captured after the blank line ending the headers
	// (Maltrail's post_data); nil when the blank line was not captured.
	Body []byte
}

// Parse decodes payload, the start of a TCP segment, and reports whether
// it begins with an HTTP request. Like Maltrail, it requires a first line
// ending in CRLF with exactly two spaces, a non-empty method and target,
// and a version starting with "HTTP/" (Maltrail accepts "HTTP/" after
// either space; the target cannot be "HTTP/…" here). The method is not
// validated, as in Maltrail. Parse resets r first.
func (r *Request) Parse(payload []byte) bool {
	*r = Request{}
	// Find the two spaces first and reject unless "HTTP/" follows the
	// second: most TCP payloads are binary, and this rejects them after a
	// few hundred bytes at most instead of a full search for CRLF
	// (1,400-byte TLS record 105 → 27 ns).
	sp1 := bytes.IndexByte(payload, ' ')
	if sp1 <= 0 {
		return false
	}
	sp2 := bytes.IndexByte(payload[sp1+1:], ' ')
	if sp2 <= 0 {
		return false
	}
	sp2 += sp1 + 1
	if !bytes.HasPrefix(payload[sp2+1:], httpSlash) {
		return false
	}
	// The request line is everything up to the first CRLF, which must
	// come after the version, and holds no third space.
	eol := indexCRLF(payload[sp2+1:])
	if eol < 0 || indexCRLF(payload[:sp2]) >= 0 {
		return false
	}
	eol += sp2 + 1
	version := payload[sp2+1 : eol]
	if bytes.IndexByte(version, ' ') >= 0 {
		return false
	}
	r.Method, r.Target, r.Version = payload[:sp1], payload[sp1+1:sp2], version

	h := headerLines{rest: payload[eol+2:]}
	for {
		line, ok := h.next()
		if !ok {
			break
		}
		r.header(line)
	}
	if h.ended {
		r.Body = h.body
	}
	return true
}

// header records line if it is a header Request keeps and the first of
// its name.
func (r *Request) header(line []byte) {
	switch lowerFirst(line) {
	case 'h':
		if v, ok := headerValue(line, "host"); ok && !r.HasHost {
			r.Host, r.HasHost = v, true
		}
	case 'u':
		if v, ok := headerValue(line, "user-agent"); ok && !r.HasUserAgent {
			r.UserAgent, r.HasUserAgent = v, true
		}
	case 'c':
		if v, ok := headerValue(line, "content-type"); ok && r.ContentType == nil {
			r.ContentType = v
		} else if v, ok := headerValue(line, "cf-connecting-ip"); ok {
			r.forwarded(v)
		}
	case 't':
		if v, ok := headerValue(line, "true-client-ip"); ok {
			r.forwarded(v)
		}
	case 'x':
		if v, ok := headerValue(line, "x-forwarded-for"); ok {
			r.forwarded(v)
		}
	}
}

func (r *Request) forwarded(value []byte) {
	if r.ForwardedFor == nil {
		r.ForwardedFor = firstIPv4(value)
	}
}
