package tlshello

import "encoding/binary"

const (
	contentHandshake = 22
	// maxRecordLen bounds a record's length field. Plaintext records may not
	// exceed 2^14 bytes (RFC 8446 §5.1); the slack for ciphertext expansion
	// tolerates stacks that are generous with the limit.
	maxRecordLen = 1<<14 + 2048
)

// errOtherRecord ends a handshake stream at a record that is not a
// handshake record (ChangeCipherSpec, Alert, ApplicationData).
var errOtherRecord = &parseError{ErrNotHandshake, "tlshello: record content type is not handshake (22)"}

// recordStream reads the handshake-protocol bytes carried by consecutive TLS
// records without copying them. A record cut short by the end of the data
// yields the bytes it has; the stream then ends with errShortRecord.
type recordStream struct {
	rest []byte // records after the current one
	frag []byte // unread part of the current record's fragment
}

// fill makes frag non-empty, moving on to the next record if needed.
func (s *recordStream) fill() error {
	for len(s.frag) == 0 {
		r := s.rest
		switch {
		case len(r) == 0:
			return errShortRecord
		case r[0] != contentHandshake:
			return errOtherRecord
		case len(r) < 5:
			return errShortRecord
		case r[1] != 3:
			return errRecordVersion
		}
		n := int(binary.BigEndian.Uint16(r[3:]))
		if n == 0 || n > maxRecordLen {
			return errRecordLength
		}
		if len(r)-5 < n {
			s.frag, s.rest = r[5:], nil
		} else {
			s.frag, s.rest = r[5:5+n], r[5+n:]
		}
	}
	return nil
}

func (s *recordStream) byte() (byte, error) {
	if err := s.fill(); err != nil {
		return 0, err
	}
	b := s.frag[0]
	s.frag = s.frag[1:]
	return b, nil
}

func (s *recordStream) uint24() (int, error) {
	var v int
	for range 3 {
		b, err := s.byte()
		if err != nil {
			return 0, err
		}
		v = v<<8 | int(b)
	}
	return v, nil
}

// next returns the next contiguous run of at most n bytes.
func (s *recordStream) next(n int) ([]byte, error) {
	if err := s.fill(); err != nil {
		return nil, err
	}
	n = min(n, len(s.frag))
	b := s.frag[:n]
	s.frag = s.frag[n:]
	return b, nil
}

func (s *recordStream) skip(n int) error {
	for n > 0 {
		b, err := s.next(n)
		if err != nil {
			return err
		}
		n -= len(b)
	}
	return nil
}

// messageHeader reads a handshake message's type and length.
func (s *recordStream) messageHeader() (typ byte, n int, err error) {
	if typ, err = s.byte(); err != nil {
		return 0, 0, err
	}
	n, err = s.uint24()
	return typ, n, err
}

// ParseRecords parses TLS records starting at a ContentType 0x16 record; a
// ClientHello may span several records. ErrIncomplete means the bytes end
// before the hello does (caller may reassemble more TCP data). Other errors
// wrap ErrNotHandshake, ErrNotClientHello or ErrMalformed.
//
// When the hello sits in one record, c's SNI and ALPN alias data; otherwise
// they alias a buffer inside c (see ClientHello).
func ParseRecords(data []byte, c *ClientHello) error {
	if len(data) == 0 {
		c.reset()
		return errShortRecord
	}
	if data[0] != contentHandshake {
		c.reset()
		return errRecordType
	}
	s := recordStream{rest: data}
	if err := s.fill(); err != nil {
		c.reset()
		return err
	}
	// Usual case: the whole message is inside the first record.
	if f := s.frag; len(f) >= 4 {
		if f[0] != typeClientHello {
			c.reset()
			return ErrNotClientHello
		}
		if n := int(f[1])<<16 | int(f[2])<<8 | int(f[3]); len(f)-4 >= n {
			return c.Parse(f[:4+n])
		}
	}

	c.gather = c.gather[:0]
	typ, n, err := s.messageHeader()
	if err == nil && typ != typeClientHello {
		err = ErrNotClientHello
	}
	c.gather = append(c.gather, typ, byte(n>>16), byte(n>>8), byte(n))
	for want := n; err == nil && want > 0; {
		var b []byte
		if b, err = s.next(want); err == nil {
			c.gather = append(c.gather, b...)
			want -= len(b)
		}
	}
	if err != nil {
		c.reset()
		if err == errOtherRecord {
			return errInterleaved
		}
		return err
	}
	return c.Parse(c.gather)
}
