package ingest

import (
	"errors"
	"fmt"
)

// Reason names why input was refused. Reasons are stable: they label the
// collector's reject counters and appear in its 4xx answers.
type Reason string

// Reasons a decoder refuses input for.
const (
	// ReasonMalformed: not this format (bad magic, bad varint, bytes after
	// the end).
	ReasonMalformed Reason = "malformed"
	// ReasonTruncated: the input ends inside a field.
	ReasonTruncated Reason = "truncated"
	// ReasonVersion: a format version or flag this build does not know.
	ReasonVersion Reason = "unsupported_version"
	// ReasonUTF8: a text field is not valid UTF-8.
	ReasonUTF8 Reason = "invalid_utf8"
	// ReasonBadValue: a field's value does not fit its type (a count over
	// 2^32-1, a DNS rcode outside int8, an ID with forbidden bytes).
	ReasonBadValue Reason = "bad_value"
	// ReasonTooLarge: over a size limit (events per batch, field length,
	// decompressed size).
	ReasonTooLarge Reason = "too_large"
	// ReasonEncoding: an unknown or corrupt Content-Encoding.
	ReasonEncoding Reason = "bad_encoding"
)

// Error is a refusal of untrusted input, with where and why.
type Error struct {
	Reason Reason
	// Offset is the byte offset in the decoded input where the problem
	// was found (-1 when it does not apply).
	Offset int
	Msg    string
}

func (e *Error) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("ingest: %s: %s", e.Reason, e.Msg)
	}
	return fmt.Sprintf("ingest: %s at byte %d: %s", e.Reason, e.Offset, e.Msg)
}

// ReasonOf returns the Reason of an *Error in err's chain, or "".
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func errorf(r Reason, off int, format string, args ...any) *Error {
	return &Error{Reason: r, Offset: off, Msg: fmt.Sprintf(format, args...)}
}
