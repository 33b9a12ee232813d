package event

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spoorsec/spoor/internal/shared"
)

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// pyItem is one element of a Python list literal: an int or a str.
type pyItem struct {
	s     string
	isInt bool
}

// parsePyList parses the repr of a Python list of ints and strs.
func parsePyList(tb testing.TB, s string) []pyItem {
	tb.Helper()
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		tb.Fatalf("not a list: %q", s)
	}
	s = s[1 : len(s)-1]
	var items []pyItem
	for len(s) > 0 {
		var it pyItem
		if s[0] == '\'' || s[0] == '"' {
			it.s, s = parsePyStr(tb, s)
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			if _, err := strconv.Atoi(s[:end]); err != nil {
				tb.Fatalf("bad list item %q", s[:end])
			}
			it.s, it.isInt, s = s[:end], true, s[end:]
		}
		items = append(items, it)
		s = strings.TrimPrefix(s, ", ")
	}
	return items
}

func parsePyStr(tb testing.TB, s string) (value, rest string) {
	tb.Helper()
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote:
			return b.String(), s[i+1:]
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		i++
		switch c := s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				tb.Fatalf("bad escape in %q", s)
			}
			b.WriteRune(rune(v))
			i += n
		default:
			b.WriteByte(c)
		}
	}
	tb.Fatalf("unterminated string %q", s)
	return "", ""
}

// eventFromTuple builds an Event from Maltrail's 11-item event tuple, with
// Spoor's conventions: a "-" port is left empty, ints become decimal text.
func eventFromTuple(tb testing.TB, items []pyItem) Event {
	tb.Helper()
	if len(items) != 11 {
		tb.Fatalf("tuple has %d items, want 11", len(items))
	}
	sec, _ := strconv.ParseInt(items[0].s, 10, 64)
	usec, _ := strconv.ParseInt(items[1].s, 10, 64)
	port := func(it pyItem) string {
		if !it.isInt && it.s == "-" {
			return ""
		}
		return it.s
	}
	return Event{
		Time:      time.Unix(sec, usec*1000),
		Sensor:    "sensor1",
		SrcIP:     items[2].s,
		SrcPort:   port(items[3]),
		DstIP:     items[4].s,
		DstPort:   port(items[5]),
		Proto:     items[6].s,
		Type:      Type(items[7].s),
		Trail:     items[8].s,
		Info:      items[9].s,
		Reference: items[10].s,
	}
}

func TestSafeValueVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "safe_value.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			if got := string(SafeValue([]byte("x"), row[0])); got != "x"+row[1] {
				t.Errorf("SafeValue(%q) = %q, want %q", row[0], got, "x"+row[1])
			}
		})
	}
}

func TestAppendLineVectors(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*3600)
	for _, row := range shared.Vectors(t, "event_line.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			e := eventFromTuple(t, parsePyList(t, row[0]))
			// The generator replaced the date and time with FIXED-TIME.
			const fixed = "FIXED-TIME"
			if !strings.HasPrefix(row[1], fixed+".") {
				t.Fatalf("vector %q does not start with %s", row[1], fixed)
			}
			want := `"` + e.Time.In(loc).Format("2006-01-02 15:04:05") + row[1][len(fixed):len(fixed)+7] + `"` +
				row[1][len(fixed)+7:] + "\n"
			if got := string(e.AppendLine(nil, loc)); got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

func TestCEFEscapeVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "cef_escape.tsv", 3) {
		t.Run(row[0]+"/"+row[1], func(t *testing.T) {
			if got := string(appendCEFEscaped(nil, row[0], row[1] == "extension")); got != row[2] {
				t.Errorf("cef escape %s %q = %q, want %q", row[1], row[0], got, row[2])
			}
		})
	}
}

func TestIPStringVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "compress_ipv6.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			var a netip.Addr
			if text, ok := strings.CutPrefix(row[0], "expanded:"); ok {
				var err error
				if a, err = netip.ParseAddr(text); err != nil {
					t.Fatal(err)
				}
			} else {
				b, err := hex.DecodeString(row[0])
				if err != nil || len(b) != 16 {
					t.Fatalf("bad packed address %q", row[0])
				}
				a = netip.AddrFrom16([16]byte(b))
			}
			if got := IPString(a); got != row[1] {
				t.Errorf("IPString(%s) = %q, want %q", a, got, row[1])
			}
		})
	}
}

func TestAddrPortVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "addr_port.tsv", 3) {
		t.Run(row[0], func(t *testing.T) {
			port, err := strconv.ParseUint(row[1], 10, 16)
			if err != nil {
				t.Fatal(err)
			}
			if got := HostPort(row[0], uint16(port)); got != row[2] {
				t.Errorf("HostPort(%q, %d) = %q, want %q", row[0], port, got, row[2])
			}
			// Rows that are addresses must come out the same through AddrPort.
			if a, err := netip.ParseAddr(strings.Trim(row[0], "[]")); err == nil {
				if got := AddrPort(a, uint16(port)); got != row[2] {
					t.Errorf("AddrPort(%s, %d) = %q, want %q", a, port, got, row[2])
				}
			}
		})
	}
}

func TestPyReprVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "py_repr.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			e := eventFromTuple(t, parsePyList(t, row[0]))
			if got := e.PyRepr(); got != row[1] {
				t.Errorf("got  %s\nwant %s", got, row[1])
			}
		})
	}
}

func TestColorizeVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "colorized.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			if got := Colorize(row[0]); got != row[1] {
				t.Errorf("got  %q\nwant %q", got, row[1])
			}
		})
	}
}

func TestPyReprEscapes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", `'plain'`},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{"nul\x00del\x7f", `'nul\x00del\x7f'`},
		{"nbsp\u00a0", `'nbsp\xa0'`},
		{"naïve", `'naïve'`},
		{"zwsp\u200b", `'zwsp\u200b'`},
		{"tag\U000e0001", `'tag\U000e0001'`},
		{"bad\xffutf8", `'bad\xffutf8'`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(appendPyStr(nil, tc.in)); got != tc.want {
				t.Errorf("repr(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestIPStringIPv4AndZero(t *testing.T) {
	for _, tc := range []struct {
		a    netip.Addr
		want string
	}{
		{netip.MustParseAddr("10.0.0.5"), "10.0.0.5"},
		{netip.MustParseAddr("fe80::1%eth0"), "fe80::1"},
		{netip.MustParseAddr("2001:db8:0:1:1:1:1:1"), "2001:db8::1:1:1:1:1"},
		{netip.Addr{}, ""},
	} {
		t.Run(fmt.Sprint(tc.a), func(t *testing.T) {
			if got := IPString(tc.a); got != tc.want {
				t.Errorf("IPString(%v) = %q, want %q", tc.a, got, tc.want)
			}
		})
	}
}

func TestColorizeMultiLine(t *testing.T) {
	// The console writes whole lines, trailing newline included.
	in := "\"2026-01-01 00:00:00.000000\" s 1.2.3.4 1 5.6.7.8 2 UDP DNS x.com \"malware (test)\" (static)\n"
	got := Colorize(in)
	if !strings.HasSuffix(got, "\n") || strings.Count(got, "\n") != 1 {
		t.Errorf("got %q, want exactly one trailing newline", got)
	}
	if got, want := Colorize("Usage: a\nUsage: b"), "Usage: \x1b[97;1ma\x1b[0m\nUsage: \x1b[97;1mb\x1b[0m"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !utf8.ValidString(Colorize("[i] 'naïve' x")) {
		t.Error("colorizing broke UTF-8")
	}
}

// FuzzColorize checks that painting only ever adds colour codes: with the
// codes taken out, the text is what went in.
func FuzzColorize(f *testing.F) {
	for _, row := range shared.Vectors(f, "colorized.tsv", 2) {
		f.Add(row[0])
	}
	strip := regexp.MustCompile(`\x1b\[[0-9;]*m`)
	f.Fuzz(func(t *testing.T, line string) {
		got := Colorize(line)
		if a, b := strip.ReplaceAllString(got, ""), strip.ReplaceAllString(line, ""); a != b {
			t.Errorf("Colorize(%q) = %q: changed the text", line, got)
		}
	})
}
