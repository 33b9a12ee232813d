package trails

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// csvFieldLimit is Python's csv.field_size_limit() default; a longer field fails the
// read, as it fails Maltrail's load_trails.
const csvFieldLimit = 131072

// csvReader splits a trails.csv the way Maltrail reads it: a text-mode file (universal
// newlines: "\r\n" and "\r" end lines like "\n") through Python's csv.reader with
// delimiter ',', quotechar '"', doublequote and non-strict parsing: a quote inside an
// unquoted field is literal, text after a closing quote is kept, a quoted field may span
// lines and one left open at the end of the data is closed there.
type csvReader struct {
	text    string
	pos     int
	scratch []byte
}

// newCSVReader reads data, which must not change while the reader and the fields it
// returned are in use. Fields alias it rather than a copy: a copy would cost the whole
// file's size again (~80 MB for the static trails' CSV) for nothing, since the Set
// copies what it keeps.
func newCSVReader(data []byte) *csvReader {
	return &csvReader{text: unsafe.String(unsafe.SliceData(data), len(data))}
}

// line returns the next line without its terminator, and whether one was present.
func (r *csvReader) line() (line string, terminated bool) {
	rest := r.text[r.pos:]
	i := strings.IndexAny(rest, "\r\n")
	if i < 0 {
		r.pos = len(r.text)
		return rest, false
	}
	r.pos += i + 1
	if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
		r.pos++
	}
	return rest[:i], true
}

type csvState uint8

const (
	startField csvState = iota
	inField
	inQuoted
	quoteInQuoted
)

// next reads one non-empty record into out and returns its field count, which may
// exceed len(out) (the extra fields are not stored). ok is false at the end of the data.
// Unquoted fields alias the input; quoted ones are copied.
func (r *csvReader) next(out []string) (n int, ok bool, err error) {
	for r.pos < len(r.text) {
		line, terminated := r.line()
		if line == "" {
			continue // csv.reader yields [], which load_trails skips
		}
		if strings.IndexByte(line, '"') < 0 {
			for {
				i := strings.IndexByte(line, ',')
				if i < 0 {
					break
				}
				if err := r.store(out, &n, line[:i]); err != nil {
					return 0, false, err
				}
				line = line[i+1:]
			}
			if err := r.store(out, &n, line); err != nil {
				return 0, false, err
			}
			return n, true, nil
		}
		return r.quoted(out, line, terminated)
	}
	return 0, false, nil
}

func (r *csvReader) store(out []string, n *int, field string) error {
	if len(field) > csvFieldLimit {
		return fmt.Errorf("field larger than field limit (%d)", csvFieldLimit)
	}
	if *n < len(out) {
		out[*n] = field
	}
	*n++
	return nil
}

// quoted runs csv.reader's state machine over a record that contains quotes.
func (r *csvReader) quoted(out []string, line string, terminated bool) (n int, ok bool, err error) {
	state := startField
	fieldStart := 0 // start of an unquoted field in line, for aliasing
	r.scratch = r.scratch[:0]
	copied := false // the field is in scratch rather than line[fieldStart:i]
	save := func(i int) error {
		var f string
		if copied {
			f = string(r.scratch)
		} else {
			f = line[fieldStart:i]
		}
		r.scratch, copied = r.scratch[:0], false
		return r.store(out, &n, f)
	}
	appendByte := func(c byte) error {
		if len(r.scratch) >= csvFieldLimit {
			return fmt.Errorf("field larger than field limit (%d)", csvFieldLimit)
		}
		r.scratch = append(r.scratch, c)
		return nil
	}
	for {
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch state {
			case startField:
				switch c {
				case '"':
					state, copied = inQuoted, true
				case ',':
					fieldStart = i
					if err := save(i); err != nil {
						return 0, false, err
					}
					fieldStart = i + 1
				default:
					state, fieldStart = inField, i
				}
			case inField:
				if c == ',' {
					if err := save(i); err != nil {
						return 0, false, err
					}
					state, fieldStart = startField, i+1
				} else if copied {
					if err := appendByte(c); err != nil {
						return 0, false, err
					}
				}
			case inQuoted:
				if c == '"' {
					state = quoteInQuoted
				} else if err := appendByte(c); err != nil {
					return 0, false, err
				}
			case quoteInQuoted:
				switch c {
				case '"':
					state = inQuoted
					if err := appendByte('"'); err != nil {
						return 0, false, err
					}
				case ',':
					if err := save(i); err != nil {
						return 0, false, err
					}
					state, fieldStart = startField, i+1
				default:
					// Non-strict: text after the closing quote joins the field.
					state = inField
					if err := appendByte(c); err != nil {
						return 0, false, err
					}
				}
			}
		}
		if state != inQuoted {
			if err := save(len(line)); err != nil {
				return 0, false, err
			}
			return n, true, nil
		}
		// The quoted field goes on past the end of the line.
		if terminated {
			if err := appendByte('\n'); err != nil {
				return 0, false, err
			}
		}
		if r.pos >= len(r.text) {
			if err := save(len(line)); err != nil {
				return 0, false, err
			}
			return n, true, nil
		}
		line, terminated = r.line()
	}
}

func validUTF8(fields []string) bool {
	for _, f := range fields {
		if !utf8.ValidString(f) {
			return false
		}
	}
	return true
}
