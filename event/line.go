package event

import "time"

// SafeValue appends v rendered as one field of a Maltrail event line
// (core/log.py safe_value): an empty value becomes "-", CR and LF become
// spaces, and a value containing a space or a double quote is wrapped in
// double quotes with inner quotes doubled. The result never contains a raw
// line break, so one event is always one line.
func SafeValue(dst []byte, v string) []byte {
	if v == "" {
		return append(dst, '-')
	}
	quote := false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ' ', '"', '\n', '\r':
			quote = true
		}
	}
	if !quote {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\n', '\r':
			// Flattened before the quoting decision in Maltrail too, so a
			// newline-only value is a quoted space, never a split record.
			dst = append(dst, ' ')
		case '"':
			dst = append(dst, '"', '"')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// appendPort renders a port column: Maltrail holds ports as Python ints, so
// port 0 is falsy and prints as "-", like a missing port.
func appendPort(dst []byte, p string) []byte {
	if p == "0" {
		return append(dst, '-')
	}
	return SafeValue(dst, p)
}

// AppendLine appends the event as one Maltrail log line, trailing "\n"
// included:
//
//	"2026-08-07 09:14:22.117034" gw 10.13.13.2 57809 1.1.1.1 53 UDP DNS evil.com "asyncrat (malware)" (static)
//
// The timestamp is e.Time in loc (nil means time.Local) with microseconds.
// Count and Context are not part of the line: a summarised event is told
// apart only by its comma-joined columns, as in Maltrail. It does not
// allocate when dst has room.
func (e *Event) AppendLine(dst []byte, loc *time.Location) []byte {
	dst = append(dst, '"')
	dst = appendLocalTime(dst, e.Time, loc)
	dst = append(dst, '"', ' ')
	dst = SafeValue(dst, e.Sensor)
	dst = append(dst, ' ')
	dst = SafeValue(dst, e.SrcIP)
	dst = append(dst, ' ')
	dst = appendPort(dst, e.SrcPort)
	dst = append(dst, ' ')
	dst = SafeValue(dst, e.DstIP)
	dst = append(dst, ' ')
	dst = appendPort(dst, e.DstPort)
	dst = append(dst, ' ')
	dst = SafeValue(dst, e.Proto)
	dst = append(dst, ' ')
	dst = SafeValue(dst, string(e.Type))
	dst = append(dst, ' ')
	if e.Type == TypePort {
		dst = appendPort(dst, e.Trail) // a PORT trail is the port number
	} else {
		dst = SafeValue(dst, e.Trail)
	}
	dst = append(dst, ' ')
	dst = SafeValue(dst, e.Info)
	dst = append(dst, ' ')
	dst = SafeValue(dst, e.Reference)
	return append(dst, '\n')
}

// appendLocalTime appends "YYYY-MM-DD HH:MM:SS.ffffff" for t in loc.
func appendLocalTime(dst []byte, t time.Time, loc *time.Location) []byte {
	if loc == nil {
		loc = time.Local
	}
	t = t.In(loc)
	dst = appendDate(dst, t)
	dst = append(dst, ' ')
	dst = appendClock(dst, t)
	dst = append(dst, '.')
	return appendPadded(dst, t.Nanosecond()/1000, 6)
}

// appendDate appends "YYYY-MM-DD" for t in its own location.
func appendDate(dst []byte, t time.Time) []byte {
	y, m, d := t.Date()
	dst = appendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int(m), 2)
	dst = append(dst, '-')
	return appendPadded(dst, d, 2)
}

// appendClock appends "HH:MM:SS" for t in its own location.
func appendClock(dst []byte, t time.Time) []byte {
	hh, mm, ss := t.Clock()
	dst = appendPadded(dst, hh, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, mm, 2)
	dst = append(dst, ':')
	return appendPadded(dst, ss, 2)
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(dst []byte, v, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var buf [20]byte
	i := len(buf)
	for v >= 10 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	buf[i] = byte('0' + v)
	for n := len(buf) - i; n < width; n++ {
		dst = append(dst, '0')
	}
	return append(dst, buf[i:]...)
}

// AppendDate appends the event's day in loc (nil means time.Local) as
// "YYYY-MM-DD": the name of the daily log file it belongs in.
func AppendDate(dst []byte, t time.Time, loc *time.Location) []byte {
	if loc == nil {
		loc = time.Local
	}
	return appendDate(dst, t.In(loc))
}
