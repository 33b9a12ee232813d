package tlshello

import "errors"

// Errors callers branch on. Every error returned by this package is, or
// wraps, one of them.
var (
	// ErrIncomplete means the bytes end before the message does; more TCP
	// payload may complete it.
	ErrIncomplete = errors.New("tlshello: handshake incomplete")
	// ErrNotHandshake means the bytes do not start a TLS handshake record.
	ErrNotHandshake = errors.New("tlshello: not a TLS handshake record")
	// ErrNotClientHello means the handshake's first message is not a
	// ClientHello.
	ErrNotClientHello = errors.New("tlshello: first handshake message is not a ClientHello")
	// ErrMalformed means a length or field contradicts the structure that
	// holds it.
	ErrMalformed = errors.New("tlshello: malformed handshake")
)

// parseError adds what exactly failed to one of the sentinels above. The
// values are package-level pointers so that reporting an error on the hot
// path never allocates.
type parseError struct {
	kind error
	msg  string
}

func (e *parseError) Error() string { return e.msg }
func (e *parseError) Unwrap() error { return e.kind }

func malformed(msg string) error { return &parseError{ErrMalformed, "tlshello: malformed " + msg} }

var (
	errShortHello      = &parseError{ErrIncomplete, "tlshello: ClientHello ends before its declared length"}
	errShortRecord     = &parseError{ErrIncomplete, "tlshello: data ends inside a TLS record"}
	errRecordType      = &parseError{ErrNotHandshake, "tlshello: record content type is not handshake (22)"}
	errRecordVersion   = &parseError{ErrNotHandshake, "tlshello: record version is not SSL 3.0/TLS"}
	errRecordLength    = malformed("record: length is zero or above 2^14+2048")
	errInterleaved     = malformed("record: handshake message interrupted by another content type")
	errHelloBody       = malformed("ClientHello: fixed fields run past the message")
	errCipherList      = malformed("ClientHello: cipher_suites length is odd or runs past the message")
	errCompression     = malformed("ClientHello: compression_methods run past the message")
	errExtensionsBlock = malformed("ClientHello: extensions block length disagrees with the message")
	errExtension       = malformed("ClientHello: extension runs past the extensions block")
	errServerName      = malformed("ClientHello: server_name extension")
	errALPN            = malformed("ClientHello: application_layer_protocol_negotiation extension")
	errVersionsList    = malformed("ClientHello: supported_versions extension")
	errSigAlgs         = malformed("ClientHello: signature_algorithms extension")
)
