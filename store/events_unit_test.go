package store

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
)

func TestSplitAddr(t *testing.T) {
	tests := []struct {
		in      string
		addr    string
		raw     string
		display string
	}{
		{"192.168.5.137", "::ffff:192.168.5.137", "", "192.168.5.137"},
		{"dead::beef", "dead::beef", "", "dead::beef"},
		{"1::0", "1::", "", "1::0"},   // Maltrail's spelling round-trips without raw text
		{"1::", "1::", "1::", "1::0"}, // RFC 5952 spelling differs from Maltrail's: kept
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4", "::ffff:1.2.3.4", "1.2.3.4"},
		{"10.0.0.1,10.0.0.2", "::ffff:10.0.0.1", "10.0.0.1,10.0.0.2", "10.0.0.1"},
		{"203.0.113.9, 198.51.100.7", "::ffff:203.0.113.9", "203.0.113.9, 198.51.100.7", "203.0.113.9"},
		{"", "::", "", ""},
		{"::0", "::", "::0", ""},
		{"0.0.0.0", "::ffff:0.0.0.0", "", "0.0.0.0"},
		{"not-an-ip", "::", "not-an-ip", ""},
		{"fe80::1%eth0", "fe80::1", "fe80::1%eth0", "fe80::1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a16, raw := splitAddr(tt.in)
			a := netip.AddrFrom16(a16)
			if a.String() != tt.addr || raw != tt.raw {
				t.Errorf("splitAddr(%q) = %v, %q; want %s, %q", tt.in, a, raw, tt.addr, tt.raw)
			}
			if got := renderAddr(a, raw); got != tt.in {
				t.Errorf("renderAddr(splitAddr(%q)) = %q", tt.in, got)
			}
			if got := renderAddr(a, ""); got != tt.display {
				t.Errorf("address alone renders %q, want %q", got, tt.display)
			}
		})
	}
}

func TestSplitPort(t *testing.T) {
	tests := []struct {
		in   string
		port uint16
		raw  string
	}{
		{"53", 53, ""},
		{"65535", 65535, ""},
		{"", 0, ""},
		{"0", 0, "0"},
		{"-", 0, "-"},
		{"00080", 80, "00080"},
		{"80,443", 80, "80,443"},
		{"65536", 0, "65536"},
		{"x", 0, "x"},
	}
	for _, tt := range tests {
		p, raw := splitPort(tt.in)
		if p != tt.port || raw != tt.raw {
			t.Errorf("splitPort(%q) = %d, %q; want %d, %q", tt.in, p, raw, tt.port, tt.raw)
		}
		if got := renderPort(p, raw); got != tt.in {
			t.Errorf("renderPort(splitPort(%q)) = %q", tt.in, got)
		}
	}
}

func FuzzAddrPortRoundTrip(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "dead::beef", "1::0", "a,b", "10.0.0.1, 10.0.0.2", "", "::", "80", "0", "1,2", "::ffff:1.2.3.4", "fe80::1%x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a16, raw := splitAddr(s)
		if got := renderAddr(netip.AddrFrom16(a16), raw); got != s {
			t.Fatalf("address %q round-trips as %q", s, got)
		}
		p, praw := splitPort(s)
		if got := renderPort(p, praw); got != s {
			t.Fatalf("port %q round-trips as %q", s, got)
		}
	})
}

func TestCursorText(t *testing.T) {
	c := Cursor{Time: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), ID: 18446744073709551615}
	got, err := ParseCursor(c.String())
	if err != nil || got != c {
		t.Errorf("ParseCursor(%q) = %v, %v; want %v", c.String(), got, err, c)
	}
	if (Cursor{}).String() != "" {
		t.Error("zero cursor is not empty text")
	}
	for _, bad := range []string{"x", "1", "1-", "-1", "1-x", "99999999999999999999-1", "1-2-3"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) succeeded", bad)
		}
	}
}

func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "1735787045000006-42", "x", "-1-2", "0-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			return
		}
		again, err := ParseCursor(c.String())
		if err != nil || again != c {
			t.Fatalf("cursor %q → %v does not survive its text %q", s, c, c.String())
		}
	})
}

// FuzzRowBinary feeds arbitrary bytes to the RowBinary reader: it must
// fail cleanly, never panic or allocate without bound.
func FuzzRowBinary(f *testing.F) {
	f.Add([]byte("\x02\x01a\x01b\x06String\x06UInt64\x01x\x01\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("\x01\x01t\x14DateTime64(6, 'UTC')\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("\x01\x02ip\x04IPv6" + string(make([]byte, 16))))
	f.Add([]byte("\x01\x04tags\x0dArray(String)\x02\x02c2\x06beacon"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := newRBRows(data, nil)
		if err != nil {
			return
		}
		for r.Next() {
			dest := make([]any, len(r.cols))
			for i, c := range r.cols {
				switch c.kind {
				case rbString:
					dest[i] = new(string)
				case rbDateTime, rbDateTime64, rbDate:
					dest[i] = new(time.Time)
				case rbIPv6, rbIPv4:
					dest[i] = new(netip.Addr)
				case rbUInt64:
					dest[i] = new(uint64)
				case rbStrings:
					dest[i] = new([]string)
				default:
					dest[i] = new(any)
				}
			}
			_ = r.Scan(dest...)
		}
		r.Close()
	})
}

func TestSortByTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 1, 2, 7, 1000} {
		var cols EventColumns
		var want []StoredEvent
		for range n {
			// Few distinct times: ties broken by ID.
			e := StoredEvent{ID: rng.Uint64N(1 << 40), BatchID: "b"}
			e.Time = base.Add(time.Duration(rng.IntN(20)) * time.Microsecond)
			e.IngestTime = base
			e.Trail = fmt.Sprint(e.Time.UnixMicro(), "/", e.ID)
			e.Severity = event.Severity(rng.IntN(4))
			cols.Append(&e)
			want = append(want, e)
		}
		slices.SortFunc(want, func(a, b StoredEvent) int {
			if c := a.Time.Compare(b.Time); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		cols.sortByTime()
		got := cols.appendEvents(nil, "", n)
		for i := range want {
			if got[i].Trail != want[i].Trail || got[i].Severity != want[i].Severity || got[i].BatchID != "b" {
				t.Fatalf("n=%d: position %d holds %+v, want %+v", n, i, got[i], want[i])
			}
		}
	}
}
