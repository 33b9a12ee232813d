package ingest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/internal/shared"

	"github.com/spoorsec/spoor/event"
)

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// demoEvents parses Maltrail's demo day log into events (context made up
// per type so every field is exercised).
func demoEvents(tb testing.TB) []event.Event {
	tb.Helper()
	f, err := os.Open(filepath.Join(testdataDir(tb), "maltrail", "demo-2024-01-11.log"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []event.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := splitLogLine(sc.Text())
		if len(fs) < 11 {
			continue
		}
		ts, err := time.Parse("2006-01-02 15:04:05.999999", fs[0])
		if err != nil {
			tb.Fatalf("bad time in %q: %v", sc.Text(), err)
		}
		e := event.Event{Time: ts, Sensor: fs[1], SrcIP: fs[2], SrcPort: fs[3], DstIP: fs[4], DstPort: fs[5],
			Proto: fs[6], Type: event.Type(fs[7]), Trail: fs[8], Info: fs[9], Reference: fs[10], Count: len(out) % 3}
		switch e.Type {
		case event.TypeDNS:
			e.Context.DNSQType, e.Context.DNSRcode = 1, int8(len(out)%4-1)
		case event.TypeURL, event.TypeHTTP, event.TypeUA:
			e.Context.HTTPMethod, e.Context.HTTPHost, e.Context.HTTPURI, e.Context.HTTPUserAgent = "GET", e.DstIP, "/"+e.Trail, "Mozilla/5.0 (ü)"
		case event.TypeIP:
			e.Context.TLSSNI, e.Context.JA4, e.Context.CertSHA1 = "example.com", "t13d1516h2_8daaf6152771_02713d6af862", "2c322ae2b7fe91391345e070b63668978bb1c9da"
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) < 2000 {
		tb.Fatalf("parsed %d demo events, want > 2000", len(out))
	}
	return out
}

// splitLogLine splits a Maltrail log line into fields, honouring quotes.
func splitLogLine(line string) []string {
	var out []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			end := strings.IndexByte(line[1:], '"')
			if end < 0 {
				return append(out, line[1:])
			}
			out = append(out, line[1:1+end])
			line = line[2+end:]
			continue
		}
		end := strings.IndexByte(line, ' ')
		if end < 0 {
			return append(out, line)
		}
		out = append(out, line[:end])
		line = line[end:]
	}
	return out
}

// eventsEqual reports the first difference between two event lists.
func eventsEqual(got, want []event.Event) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d events, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time.Truncate(time.Microsecond)) {
			return fmt.Errorf("event %d: time %v, want %v", i, g.Time, w.Time)
		}
		g.Time, w.Time = time.Time{}, time.Time{}
		if w.Count < 0 {
			w.Count = 0
		}
		if g != w {
			return fmt.Errorf("event %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	return nil
}
