package output

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/spoorsec/spoor/event"
)

// udpSink renders each event once and sends it to every target: one
// datagram per event and target, no batching, no retry beyond one socket
// renewal, as in Maltrail.
type udpSink struct {
	kind   string // for errors
	render func(dst []byte, e *event.Event) []byte

	mu     sync.Mutex
	sender *udpSender
	buf    []byte
}

func newUDPSink(kind string, targets []string, render func([]byte, *event.Event) []byte) (*udpSink, error) {
	u, err := newUDPSender(targets)
	if err != nil {
		return nil, fmt.Errorf("invalid %s targets: %w", kind, err)
	}
	return &udpSink{kind: kind, render: render, sender: u, buf: make([]byte, 0, 1024)}, nil
}

func (s *udpSink) Write(e *event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sender == nil {
		return fmt.Errorf("%s output is closed", s.kind)
	}
	s.buf = s.render(s.buf[:0], e)
	if err := s.sender.send(s.buf); err != nil {
		return fmt.Errorf("%s output: %w", s.kind, err)
	}
	return nil
}

func (s *udpSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sender == nil {
		return nil
	}
	err := s.sender.close()
	s.sender = nil
	if err != nil {
		return fmt.Errorf("cannot close %s output: %w", s.kind, err)
	}
	return nil
}

// CEF sends events as CEF syslog datagrams (Maltrail's SYSLOG_SERVER).
type CEF struct {
	*udpSink
	hostname, version string
	trailsDate        string // guarded by udpSink.mu
}

// NewCEF returns a CEF sink sending to targets ("host:port", "[v6]:port").
// hostname and version fill the CEF header; trailsDate ("YYYY-MM-DD", the
// trails' build date) is the signature id, changeable with SetTrailsDate.
// Syslog times are each event's Time in its own location. A name that does
// not resolve is an error of the sends, retried every 30 s, not of NewCEF.
func NewCEF(targets []string, hostname, version, trailsDate string) (Sink, error) {
	c := &CEF{hostname: hostname, version: version, trailsDate: trailsDate}
	s, err := newUDPSink("CEF", targets, func(dst []byte, e *event.Event) []byte {
		return e.AppendCEF(dst, c.hostname, c.version, c.trailsDate)
	})
	if err != nil {
		return nil, err
	}
	c.udpSink = s
	return c, nil
}

// SetTrailsDate changes the signature id after the trails are rebuilt.
func (c *CEF) SetTrailsDate(date string) {
	c.mu.Lock()
	c.trailsDate = date
	c.mu.Unlock()
}

// NewJSON returns a sink sending each event as one JSON datagram
// (Maltrail's LOGSTASH_SERVER) to targets; see event.AppendJSON.
func NewJSON(targets []string, hostname string) (Sink, error) {
	s, err := newUDPSink("JSON", targets, func(dst []byte, e *event.Event) []byte {
		return e.AppendJSON(dst, hostname)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// NewLogServer returns a sink sending events to a Maltrail server's UDP
// listener (LOG_SERVER): "<unix seconds> <event line>\n" per datagram,
// times in loc (nil means time.Local). The channel has no authentication
// or acknowledgement, by Maltrail's design.
func NewLogServer(targets []string, loc *time.Location) (Sink, error) {
	s, err := newUDPSink("log server", targets, func(dst []byte, e *event.Event) []byte {
		dst = strconv.AppendInt(dst, e.Time.Unix(), 10)
		dst = append(dst, ' ')
		return e.AppendLine(dst, loc)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
