package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spoorsec/spoor/event"
)

// Permissions Maltrail gives its log directory and daily event files.
const (
	logDirPerm  = 0o755
	logFilePerm = 0o644
)

// DayLog appends event lines to LOG_DIR/YYYY-MM-DD.log, the day being the
// event's local date, as Maltrail's sensor and server do. Each line is one
// write(2) on an O_APPEND descriptor, so lines from several writers (or
// processes) never interleave mid-line.
type DayLog struct {
	dir string
	loc *time.Location

	mu   sync.Mutex
	day  []byte // "YYYY-MM-DD" of the open file
	f    *os.File
	buf  []byte
	shut bool
}

// NewDayLog returns a DayLog writing under dir (created 0755 if missing)
// with dates and times in loc (nil means time.Local).
func NewDayLog(dir string, loc *time.Location) (*DayLog, error) {
	if loc == nil {
		loc = time.Local
	}
	if err := os.MkdirAll(dir, logDirPerm); err != nil {
		return nil, fmt.Errorf("cannot create log directory: %w", err)
	}
	return &DayLog{dir: dir, loc: loc, buf: make([]byte, 0, 512)}, nil
}

// Write appends e's line to the file of its local date.
func (d *DayLog) Write(e *event.Event) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shut {
		return errors.New("event log is closed")
	}
	d.buf = event.AppendDate(d.buf[:0], e.Time, d.loc)
	day := len(d.buf)
	if d.f == nil || string(d.buf[:day]) != string(d.day) {
		if err := d.open(string(d.buf[:day])); err != nil {
			return err
		}
	}
	d.buf = e.AppendLine(d.buf, d.loc)
	line := d.buf[day:]
	// One write, never a retry loop: a second write could land after
	// another process's line and split this record.
	n, err := d.f.Write(line)
	if err != nil {
		return fmt.Errorf("cannot write event log %s: %w", d.f.Name(), err)
	}
	if n != len(line) {
		return fmt.Errorf("short write to event log %s: %d of %d bytes", d.f.Name(), n, len(line))
	}
	return nil
}

// open switches to the file for day, creating it with mode 0644 whatever
// the umask, as Maltrail does.
func (d *DayLog) open(day string) error {
	if d.f != nil {
		if err := d.f.Close(); err != nil {
			return fmt.Errorf("cannot close event log %s: %w", d.f.Name(), err)
		}
		d.f = nil
	}
	path := filepath.Join(d.dir, day+".log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, logFilePerm)
	switch {
	case err == nil:
		if err := f.Chmod(logFilePerm); err != nil {
			f.Close()
			return fmt.Errorf("cannot set permissions of event log %s: %w", path, err)
		}
	case errors.Is(err, fs.ErrExist):
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf("cannot open event log: %w", err)
		}
	default:
		return fmt.Errorf("cannot create event log: %w", err)
	}
	d.f = f
	d.day = append(d.day[:0], day...)
	return nil
}

// Close closes the open file; later writes fail.
func (d *DayLog) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.shut = true
	if d.f == nil {
		return nil
	}
	err := d.f.Close()
	d.f = nil
	if err != nil {
		return fmt.Errorf("cannot close event log: %w", err)
	}
	return nil
}
