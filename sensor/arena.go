package sensor

import (
	"strings"
	"unsafe"

	"github.com/spoorsec/spoor/sensor/heuristic"
)

// arena builds the short-lived strings of one HTTP request (lowercased
// path and host, URL candidates) in one reused buffer, so that matching a
// request allocates nothing once the buffer has grown to the traffic's size.
// Strings it returns are valid until the next reset; anything kept in an
// event must be copied (string concatenation does that).
type arena struct {
	buf []byte
	unq heuristic.Unquoter
}

// reset starts a new request; need is a size hint.
func (a *arena) reset(need int) {
	if cap(a.buf) < need {
		a.buf = make([]byte, 0, need)
	}
	a.buf = a.buf[:0]
}

// concat returns the concatenation of ss. If the buffer must grow, earlier
// strings keep pointing into the old buffer, which stays alive through them.
func (a *arena) concat(ss ...string) string {
	start := len(a.buf)
	for _, s := range ss {
		a.buf = append(a.buf, s...)
	}
	return a.since(start)
}

// lower returns s lowercased (ASCII).
func lower[T string | []byte](a *arena, s T) string {
	start := len(a.buf)
	a.buf = lowerInto(a.buf, s)
	return a.since(start)
}

// since returns what was appended to the buffer from start on.
func (a *arena) since(start int) string {
	if len(a.buf) == start {
		return ""
	}
	return unsafe.String(&a.buf[start], len(a.buf)-start)
}

// unquote returns Python's urllib unquote of s.
func (a *arena) unquote(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	start := len(a.buf)
	a.buf = a.unq.Append(a.buf, s)
	return a.since(start)
}
