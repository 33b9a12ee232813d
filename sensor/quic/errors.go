package quic

import "errors"

// Errors callers branch on (for counting, mostly). Errors from parsing the
// reassembled ClientHello are tlshello's.
var (
	// ErrNotQUIC means the datagram does not start with a long-header
	// packet of QUIC version 1 or 2.
	ErrNotQUIC = errors.New("quic: not a QUIC v1/v2 long-header packet")
	// ErrNotInitial means the datagram holds QUIC packets but no Initial.
	ErrNotInitial = errors.New("quic: no Initial packet in the datagram")
	// ErrMalformed means a header or frame is inconsistent or truncated.
	ErrMalformed = errors.New("quic: malformed packet")
	// ErrDecrypt means an Initial failed authentication with the client
	// keys of its Destination Connection ID: sent by a server, sent after
	// the server picked a new connection ID, corrupted, or cut short by the
	// capture.
	ErrDecrypt = errors.New("quic: Initial packet failed authentication")
	// ErrTooLarge means the CRYPTO stream announces a ClientHello larger
	// than the Parser keeps per connection.
	ErrTooLarge = errors.New("quic: ClientHello exceeds the per-connection limit")
)

// parseError adds detail to a sentinel without allocating: the values are
// package-level pointers.
type parseError struct {
	kind error
	msg  string
}

func (e *parseError) Error() string { return e.msg }
func (e *parseError) Unwrap() error { return e.kind }

var (
	errEmpty         = &parseError{ErrNotQUIC, "quic: empty datagram"}
	errShortHeader   = &parseError{ErrNotQUIC, "quic: short-header packet"}
	errVersionNeg    = &parseError{ErrNotQUIC, "quic: version negotiation packet"}
	errVersion       = &parseError{ErrNotQUIC, "quic: unsupported version"}
	errTruncated     = &parseError{ErrMalformed, "quic: long header or packet truncated"}
	errCIDLength     = &parseError{ErrMalformed, "quic: connection ID longer than 20 bytes"}
	errFrame         = &parseError{ErrMalformed, "quic: Initial frame truncated"}
	errFrameType     = &parseError{ErrMalformed, "quic: frame type not allowed in an Initial packet"}
	errHelloTooLarge = &parseError{ErrTooLarge, "quic: ClientHello exceeds 16 KiB"}
)
