package chdb

import (
	"strconv"
	"strings"
)

// Error is an exception raised by the engine.
type Error struct {
	// Code is ClickHouse's error code (0 if the message carried none).
	Code int
	// Message is the engine's message.
	Message string
}

func (e *Error) Error() string { return "chdb: " + e.Message }

// parseError reads ClickHouse's "Code: 60. DB::Exception: ..." text.
func parseError(msg string) *Error {
	msg = strings.TrimSpace(msg)
	e := &Error{Message: msg}
	if rest, ok := strings.CutPrefix(msg, "Code: "); ok {
		if i := strings.IndexByte(rest, '.'); i > 0 {
			if code, err := strconv.Atoi(rest[:i]); err == nil {
				e.Code = code
			}
		}
	}
	return e
}
