package output

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spoorsec/spoor/event"
)

// console echoes event lines (Maltrail's --console), coloured like
// core/colorized.py when color is set.
type console struct {
	w     io.Writer
	color bool
	loc   *time.Location

	mu  sync.Mutex
	buf []byte
}

// NewConsole returns a sink writing each event line to w, times in
// time.Local. Close does not close w.
func NewConsole(w io.Writer, color bool) Sink {
	return NewConsoleIn(w, color, time.Local)
}

// NewConsoleIn is NewConsole with times in loc (nil means time.Local), to
// match a DayLog built with the same location.
func NewConsoleIn(w io.Writer, color bool, loc *time.Location) Sink {
	return &console{w: w, color: color, loc: loc, buf: make([]byte, 0, 512)}
}

func (c *console) Write(e *event.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = e.AppendLine(c.buf[:0], c.loc)
	var err error
	if c.color {
		_, err = io.WriteString(c.w, event.Colorize(string(c.buf)))
	} else {
		_, err = c.w.Write(c.buf)
	}
	if err != nil {
		return fmt.Errorf("cannot write event to console: %w", err)
	}
	return nil
}

func (c *console) Close() error { return nil }
