// Package dns decodes the parts of a DNS message the sensor inspects: the
// header, the first question and the answer records, without allocating
// once a Message has been used.
//
// Compared with Maltrail's sensor (old/sensor.py), which reads the
// question name label by label and takes a compression pointer for a
// 192-byte label, Parse follows compression pointers everywhere (bounded,
// so hostile pointer loops end in an error), walks every answer record
// instead of stopping at the first A record, and renders names in an
// unambiguous presentation form (see Message.Name).
package dns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Sentinel errors. Parse wraps them with the part of the message that was
// bad; callers test with errors.Is.
var (
	// ErrTruncated means the message ends inside the header or the first
	// question (or, for ParseTCP, inside the length prefix).
	ErrTruncated = errors.New("dns: truncated message")
	// ErrMalformed means the header or the first question cannot be
	// decoded: a compression loop or forward pointer, a reserved label
	// type, or a name longer than 255 octets.
	ErrMalformed = errors.New("dns: malformed message")
)

// Errors are built once so returning them does not allocate.
var (
	errShortHeader   = fmt.Errorf("header: %w", ErrTruncated)
	errShortQuestion = fmt.Errorf("question type and class: %w", ErrTruncated)
	errShortName     = fmt.Errorf("name: %w", ErrTruncated)
	errPointer       = fmt.Errorf("name: compression pointer does not point backwards: %w", ErrMalformed)
	errLabelType     = fmt.Errorf("name: reserved label type: %w", ErrMalformed)
	errNameTooLong   = fmt.Errorf("name: longer than 255 octets: %w", ErrMalformed)
	errShortPrefix   = fmt.Errorf("tcp length prefix: %w", ErrTruncated)
)

// MaxAnswers is the number of answer records a Message keeps; later ones
// are not decoded. Real responses rarely carry more than a dozen.
const MaxAnswers = 32

// Record types with addresses.
const (
	TypeA    = 1
	TypeAAAA = 28
)

const headerLen = 12

// Answer is one answer-section resource record.
type Answer struct {
	Type uint16
	TTL  uint32
	// Addr is the address of an A or AAAA record with well-sized data;
	// the zero Addr otherwise.
	Addr netip.Addr
}

// Message is a decoded DNS message. Reuse one Message per goroutine: Parse
// keeps the Name and Answers backing arrays so it stops allocating after
// the first call. Name and Answers are only valid until the next Parse.
type Message struct {
	ID, Flags uint16 // Flags holds header bytes 2 and 3
	QDCount   uint16
	ANCount   uint16

	// QType and QClass of the first question; zero when QDCount is zero.
	QType, QClass uint16

	// Name is the first question's name in presentation form: labels
	// joined by '.', no trailing dot, the root name empty, ASCII letters
	// lowercased. Bytes that would make the text ambiguous are escaped as
	// in RFC 1035 §5.1 zone files: '.' inside a label becomes `\.`, a
	// backslash `\\`, and any byte outside printable ASCII (0x21–0x7e)
	// `\DDD` in decimal. An escaped name therefore never matches a plain
	// domain (and fails Maltrail's VALID_DNS_NAME_REGEX, which the engine
	// applies), where Maltrail would have joined a label "evil.com" into a
	// lookalike of the two-label name.
	Name []byte

	// Answers holds up to MaxAnswers answer records in message order.
	Answers []Answer
	// Partial reports that the message ended, or turned malformed, before
	// ANCount answers (or QDCount questions) were read; Answers holds the
	// records decoded before that point. Parse still returns nil, so a
	// response cut by the capture snap length keeps its question.
	Partial bool
}

// Response reports whether the QR bit marks the message as a response.
func (m *Message) Response() bool { return m.Flags&0x8000 != 0 }

// Opcode returns the 4-bit operation code (0 = standard query).
func (m *Message) Opcode() uint8 { return uint8(m.Flags>>11) & 0x0f }

// Rcode returns the 4-bit response code (0 = NOERROR, 3 = NXDOMAIN).
func (m *Message) Rcode() uint8 { return uint8(m.Flags) & 0x0f }

// Parse decodes the DNS message b (a UDP payload, or a TCP message
// without its length prefix). It returns an error wrapping ErrTruncated
// or ErrMalformed when the header or the first question cannot be
// decoded; problems further on only set Partial. Hostile input never
// makes Parse panic or loop: every name walk is bounded by the message
// length and the 255-octet name limit.
func (m *Message) Parse(b []byte) error {
	if cap(m.Name) < maxPresentationLen {
		m.Name = make([]byte, 0, maxPresentationLen)
	}
	if cap(m.Answers) < MaxAnswers {
		m.Answers = make([]Answer, 0, MaxAnswers)
	}
	*m = Message{Name: m.Name[:0], Answers: m.Answers[:0]}

	if len(b) < headerLen {
		return errShortHeader
	}
	m.ID = binary.BigEndian.Uint16(b[0:])
	m.Flags = binary.BigEndian.Uint16(b[2:])
	m.QDCount = binary.BigEndian.Uint16(b[4:])
	m.ANCount = binary.BigEndian.Uint16(b[6:])

	off := headerLen
	if m.QDCount > 0 {
		name, next, err := appendName(m.Name, b, off)
		if err != nil {
			return err
		}
		if len(b)-next < 4 {
			return errShortQuestion
		}
		m.Name = name
		m.QType = binary.BigEndian.Uint16(b[next:])
		m.QClass = binary.BigEndian.Uint16(b[next+2:])
		off = next + 4
		for range m.QDCount - 1 {
			next, ok := skipName(b, off)
			if !ok || len(b)-next < 4 {
				m.Partial = true
				return nil
			}
			off = next + 4
		}
	}
	m.parseAnswers(b, off)
	return nil
}

// parseAnswers decodes up to MaxAnswers records starting at off.
func (m *Message) parseAnswers(b []byte, off int) {
	for range min(int(m.ANCount), MaxAnswers) {
		next, ok := skipName(b, off)
		if !ok || len(b)-next < 10 {
			m.Partial = true
			return
		}
		a := Answer{
			Type: binary.BigEndian.Uint16(b[next:]),
			TTL:  binary.BigEndian.Uint32(b[next+4:]),
		}
		rdlen := int(binary.BigEndian.Uint16(b[next+8:]))
		rdata := next + 10
		if len(b)-rdata < rdlen {
			m.Partial = true
			return
		}
		switch {
		case a.Type == TypeA && rdlen == 4:
			a.Addr = netip.AddrFrom4([4]byte(b[rdata:]))
		case a.Type == TypeAAAA && rdlen == 16:
			a.Addr = netip.AddrFrom16([16]byte(b[rdata:]))
		}
		m.Answers = append(m.Answers, a)
		off = rdata + rdlen
	}
}

// ParseTCP decodes a DNS-over-TCP message (RFC 1035 §4.2.2): b is a TCP
// payload starting with the 2-byte length prefix. Only the first message
// of the segment is decoded; when the segment holds less than the prefix
// announces (a message spanning segments or cut by the snap length),
// what was captured is parsed, so the question is still seen.
func ParseTCP(b []byte, m *Message) error {
	if len(b) < 2 {
		*m = Message{Name: m.Name[:0], Answers: m.Answers[:0]}
		return errShortPrefix
	}
	msg := b[2:]
	if n := int(binary.BigEndian.Uint16(b)); n < len(msg) {
		msg = msg[:n]
	}
	return m.Parse(msg)
}
