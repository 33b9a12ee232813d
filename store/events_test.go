package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// testEvents returns events exercising every column: IPv4 and IPv6
// addresses, address and port lists, missing values, context fields,
// summarised counts, microsecond times across a day.
func testEvents(day time.Time, n int) []event.Event {
	base := []event.Event{
		{Sensor: "edge-1", SrcIP: "192.168.5.137", SrcPort: "60453", DstIP: "8.8.8.8", DstPort: "53", Proto: "UDP",
			Type: event.TypeDNS, Trail: "morphed.ru", Info: "andromeda (malware)", Reference: "(static)",
			Context: event.Context{DNSQType: 1, DNSRcode: -1}},
		{Sensor: "edge-1", SrcIP: "2001:db8::1", SrcPort: "443", DstIP: "dead::beef", DstPort: "8080", Proto: "TCP",
			Type: event.TypeHTTP, Trail: "evil.example/path?x=1", Info: "potential malware site", Reference: "abuse.ch",
			Context: event.Context{HTTPMethod: "GET", HTTPHost: "evil.example", HTTPURI: "/path?x=1", HTTPUserAgent: "Mozilla/5.0 (X11)"}},
		{Sensor: "edge-2", SrcIP: "10.0.0.1,10.0.0.2,10.0.0.3", SrcPort: "1,2,3", DstIP: "1.2.3.4", DstPort: "", Proto: "TCP",
			Type: event.TypeIPort, Trail: "1.2.3.4:443", Info: "mass scanner", Reference: "(custom)", Count: 42,
			Context: event.Context{TLSSNI: "c2.example", JA4: "t13d1516h2_8daaf6152771_02713d6af862", CertSHA1: "0123456789abcdef0123456789abcdef01234567"}},
		{Sensor: "edge-2", SrcIP: "203.0.113.9, 198.51.100.7", SrcPort: "0", DstIP: "", DstPort: "-", Proto: "ICMP",
			Type: event.TypeIP, Trail: "203.0.113.9", Info: "known attacker", Reference: "blocklist.de", Count: 1},
		{Sensor: "edge-3", SrcIP: "::ffff:1.2.3.4", SrcPort: "65535", DstIP: "1::0", DstPort: "1", Proto: "UDP",
			Type: event.TypeCert, Trail: "ab:cd", Info: "c2 cert \u00e9\t\"x\"\n", Reference: "ref\\with\\backslash", Count: 0,
			Context: event.Context{DNSQType: 28, DNSRcode: 3}},
		{Sensor: "", SrcIP: "not-an-ip", SrcPort: "x", DstIP: "::0", DstPort: "00080", Proto: "", Type: event.TypeUA,
			Trail: "", Info: "", Reference: ""},
	}
	out := make([]event.Event, n)
	for i := range out {
		e := base[i%len(base)]
		e.Time = day.Add(time.Duration(i) * 1234567891 * time.Nanosecond % (24 * time.Hour))
		e.Trail = fmt.Sprintf("%s#%d", e.Trail, i)
		out[i] = e
	}
	return out
}

// recentDay is the start of the UTC day n days from today: tests use
// recent events, since older ones expire (TTL) as soon as they are merged.
func recentDay(n int) time.Time {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, n)
}

// want is what the store should return for e.
func want(t tenant.ID, sensorID, batchID string, e event.Event) StoredEvent {
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.Count = max(e.Count, 1)
	return StoredEvent{Event: e, Tenant: t, Severity: event.SeverityOf(e.Info, e.Reference), SensorID: sensorID, BatchID: batchID}
}

// readDay pages through a whole day.
func readDay(tb testing.TB, s *Store, t tenant.ID, day time.Time, page int) []StoredEvent {
	tb.Helper()
	var all []StoredEvent
	var cur Cursor
	for i := 0; ; i++ {
		p, err := s.DayEvents(context.Background(), t, day, cur, page)
		if err != nil {
			tb.Fatalf("DayEvents: %v", err)
		}
		all = append(all, p.Events...)
		cur = p.Next
		if p.Done {
			return all
		}
		if i > 1_000_000 {
			tb.Fatal("DayEvents never reported Done")
		}
	}
}

func TestEventsRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		day := recentDay(-1)
		ingest := day.Add(34*time.Hour + 123*time.Millisecond)
		s := newTestStore(t, ec, Options{Now: func() time.Time { return ingest }})
		ten := addTenant(t, s, "acme", 30)
		evs := testEvents(day, 60)
		evs[0].Time = day.Add(999_999 * time.Nanosecond) // sub-microsecond part is dropped
		if err := s.InsertEvents(context.Background(), ten, "sensor-1", "batch-1", evs); err != nil {
			t.Fatalf("InsertEvents: %v", err)
		}
		got := readDay(t, s, ten, day, 1000)
		if len(got) != len(evs) {
			t.Fatalf("got %d events, want %d", len(got), len(evs))
		}
		byTrail := map[string]StoredEvent{}
		ids := map[uint64]bool{}
		for i, g := range got {
			if g.ID == 0 || ids[g.ID] {
				t.Fatalf("event %d: ID %d is zero or repeated", i, g.ID)
			}
			ids[g.ID] = true
			if !g.IngestTime.Equal(ingest) {
				t.Errorf("event %d: IngestTime = %v, want %v", i, g.IngestTime, ingest)
			}
			if i > 0 && g.Time.Before(got[i-1].Time) {
				t.Errorf("event %d is out of time order", i)
			}
			g.ID, g.IngestTime = 0, time.Time{}
			byTrail[g.Trail] = g
		}
		for _, e := range evs {
			w := want(ten, "sensor-1", "batch-1", e)
			g, ok := byTrail[e.Trail]
			if !ok {
				t.Fatalf("event %q missing", e.Trail)
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("round trip of %q:\n got %+v\nwant %+v", e.Trail, g, w)
			}
		}
		// Typed columns hold what SQL users expect.
		res, err := s.QuerySQL(context.Background(), ten,
			"SELECT toString(src_ip), src_ip_text, src_port, src_port_text, toString(severity), retention_days, toTypeName(time) FROM events WHERE trail = 'morphed.ru#0'", Limits{})
		if err != nil {
			t.Fatalf("QuerySQL: %v", err)
		}
		wantRow := `["::ffff:192.168.5.137", "192.168.5.137", 60453, "60453", "high", 30, "DateTime64(6, 'UTC')"]`
		if len(res.Rows) != 1 || string(res.Rows[0]) != wantRow {
			t.Errorf("typed columns: got %s, want %s", res.Rows, wantRow)
		}
	})
}

func TestInsertDeduplicatesRetriedBatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		ctx := context.Background()
		day := recentDay(-3)
		// The batch spans two days, so it is stored as two parts.
		evs := testEvents(day.Add(23*time.Hour), 500)
		for i := 0; i < 3; i++ {
			if err := s.InsertEvents(ctx, ten, "s1", "b1", evs); err != nil {
				t.Fatalf("InsertEvents try %d: %v", i, err)
			}
		}
		if got := totalRows(t, s, ten); got != 500 {
			t.Fatalf("after three tries of one batch: %d rows, want 500", got)
		}
		// Another batch, or the same batch ID from another sensor, is new.
		if err := s.InsertEvents(ctx, ten, "s1", "b2", evs); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertEvents(ctx, ten, "s2", "b1", evs); err != nil {
			t.Fatal(err)
		}
		if got := totalRows(t, s, ten); got != 1500 {
			t.Fatalf("after three distinct batches: %d rows, want 1500", got)
		}
		// The same batch ID in another tenant is that tenant's own.
		other := addTenant(t, s, "globex", 0)
		if err := s.InsertEvents(ctx, other, "s1", "b1", evs[:10]); err != nil {
			t.Fatal(err)
		}
		if got := totalRows(t, s, other); got != 10 {
			t.Fatalf("other tenant: %d rows, want 10", got)
		}
	})
}

func totalRows(tb testing.TB, s *Store, t tenant.ID) uint64 {
	tb.Helper()
	counts, err := s.CountsPerDay(context.Background(), t, time.Unix(0, 0), time.Now().Add(24*time.Hour))
	if err != nil {
		tb.Fatalf("CountsPerDay: %v", err)
	}
	var n uint64
	for _, c := range counts {
		n += c.Rows
	}
	return n
}

func TestInsertRefusals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ctx := context.Background()
		evs := testEvents(recentDay(0), 1)
		if err := s.InsertEvents(ctx, tenant.MustNew("nobody"), "s", "b", evs); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown tenant: error %v, want ErrNotFound", err)
		}
		ten := addTenant(t, s, "acme", 0)
		for _, c := range []struct{ sensor, batch string }{{"", "b"}, {"s", ""}, {string(make([]byte, MaxIDLen+1)), "b"}} {
			if err := s.InsertEvents(ctx, ten, c.sensor, c.batch, evs); !errors.Is(err, ErrBadBatch) {
				t.Errorf("sensor %q batch %q: error %v, want ErrBadBatch", c.sensor, c.batch, err)
			}
		}
		if err := s.InsertEvents(ctx, tenant.ID("Bad.ID"), "s", "b", evs); !errors.Is(err, ErrInvalid) {
			t.Errorf("unvalidated tenant: error %v, want ErrInvalid", err)
		}
		if err := s.InsertEvents(ctx, ten, "s", "b", nil); err != nil {
			t.Errorf("empty batch: %v", err)
		}
	})
}

func TestDayEventsPaging(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		day := recentDay(-2)
		evs := testEvents(day, 300)
		// Many events share one microsecond: the cursor must break ties.
		for i := range evs[:120] {
			evs[i].Time = day.Add(5 * time.Hour)
		}
		// Events of the neighbouring days stay out. Three batches of the
		// day, each spanning it: parts that overlap in time, which the
		// engine returns in no particular order.
		prev, next := testEvents(day.Add(-time.Hour), 7), testEvents(day.Add(24*time.Hour), 9)
		for i, b := range [][]event.Event{evs[:100], prev, evs[100:200], next, evs[200:]} {
			if err := s.InsertEvents(context.Background(), ten, "s", fmt.Sprint("b", i), b); err != nil {
				t.Fatal(err)
			}
		}
		got := readDay(t, s, ten, day.Add(13*time.Hour), 7)
		if len(got) != 300 {
			t.Fatalf("paged %d events, want 300", len(got))
		}
		seen := map[uint64]bool{}
		for i, e := range got {
			if seen[e.ID] {
				t.Fatalf("event %d returned twice", e.ID)
			}
			seen[e.ID] = true
			if i > 0 {
				p := got[i-1]
				if e.Time.Before(p.Time) || e.Time.Equal(p.Time) && e.ID <= p.ID {
					t.Fatalf("event %d out of (time, id) order", i)
				}
			}
			if e.Time.Before(day) || !e.Time.Before(day.Add(24*time.Hour)) {
				t.Fatalf("event at %v outside the day", e.Time)
			}
		}
		// Cursors survive their text form.
		p, err := s.DayEvents(context.Background(), ten, day, Cursor{}, 150)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCursor(p.Next.String())
		if err != nil || c != p.Next {
			t.Fatalf("ParseCursor(%q) = %v, %v; want %v", p.Next.String(), c, err, p.Next)
		}
		rest, err := s.DayEvents(context.Background(), ten, day, c, 1000)
		if err != nil || len(rest.Events) != 150 || !rest.Done || rest.Events[0].ID != got[150].ID {
			t.Fatalf("second half: %d events, done %v, err %v", len(rest.Events), rest.Done, err)
		}
		if _, err := s.DayEvents(context.Background(), ten, day, Cursor{}, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("limit 0: error %v, want ErrInvalid", err)
		}
	})
}

func TestCountsPerDay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		d1 := recentDay(-6)
		a := testEvents(d1, 6)                  // counts 1+1+42+1+1+1 = 47
		b := testEvents(d1.AddDate(0, 0, 2), 3) // 1+1+42 = 44
		for i := range a {
			a[i].Time = d1.Add(time.Duration(i) * time.Hour)
		}
		for i := range b {
			b[i].Time = d1.AddDate(0, 0, 2).Add(time.Duration(i) * time.Minute)
		}
		if err := s.InsertEvents(context.Background(), ten, "s", "a", a); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertEvents(context.Background(), ten, "s", "b", b); err != nil {
			t.Fatal(err)
		}
		got, err := s.CountsPerDay(context.Background(), ten, d1.Add(5*time.Hour), d1.AddDate(0, 0, 5))
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := []DayCount{{Day: d1, Rows: 6, Events: 47}, {Day: d1.AddDate(0, 0, 2), Rows: 3, Events: 44}}
		if !reflect.DeepEqual(got, wantCounts) {
			t.Errorf("CountsPerDay = %+v, want %+v", got, wantCounts)
		}
		// [from, to): the day's first hour and the third day's last events
		// are outside.
		if n, err := s.CountRows(context.Background(), ten, d1.Add(time.Hour), d1.AddDate(0, 0, 2).Add(2*time.Minute)); err != nil || n != 5+2 {
			t.Errorf("CountRows = %d, %v; want 7", n, err)
		}
	})
}

// TestRetentionTTL checks that retention runs from ingestion (or from the
// event's time, if later): events received five days ago expire under a
// two-day retention, while old events received now (a replayed capture)
// are kept.
func TestRetentionTTL(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		now := time.Now().UTC()
		fiveDaysAgo := func() time.Time { return now.AddDate(0, 0, -5) }
		s := newTestStore(t, ec, Options{Now: fiveDaysAgo})
		short := addTenant(t, s, "short", 2)
		long := addTenant(t, s, "long", 30)
		old := testEvents(now.AddDate(0, 0, -5).Truncate(24*time.Hour), 4)
		for _, ten := range []tenant.ID{short, long} {
			if err := s.InsertEvents(context.Background(), ten, "s", "b", old); err != nil {
				t.Fatal(err)
			}
		}
		replayed := addTenant(t, s, "replayed", 2)
		s.now = time.Now
		if err := s.InsertEvents(context.Background(), replayed, "s", "b", testEvents(now.AddDate(-1, 0, 0), 3)); err != nil {
			t.Fatal(err)
		}
		if err := s.be.exec(context.Background(), "OPTIMIZE TABLE "+s.db+".events FINAL", nil); err != nil {
			t.Fatalf("OPTIMIZE: %v", err)
		}
		if got := totalRows(t, s, short); got != 0 {
			t.Errorf("tenant with 2-day retention keeps %d 5-day-old events, want 0", got)
		}
		if got := totalRows(t, s, long); got != 4 {
			t.Errorf("tenant with 30-day retention keeps %d events, want 4", got)
		}
		if got := totalRows(t, s, replayed); got != 3 {
			t.Errorf("year-old events ingested now, 2-day retention: %d kept, want 3", got)
		}
		// A retention change reaches stored rows through ApplyRetention.
		if err := s.PutTenant(context.Background(), Tenant{ID: long, Name: "x", RetentionDays: 1}); err != nil {
			t.Fatal(err)
		}
		if err := s.ApplyRetention(context.Background(), long); err != nil {
			t.Fatalf("ApplyRetention: %v", err)
		}
		if err := s.be.exec(context.Background(), "OPTIMIZE TABLE "+s.db+".events FINAL", nil); err != nil {
			t.Fatal(err)
		}
		if got := totalRows(t, s, long); got != 0 {
			t.Errorf("after ApplyRetention(1 day): %d events left, want 0", got)
		}
	})
}

// TestEventColumnsMatchEvents reads a day both ways, the stream in pages
// of several sizes, over overlapping parts, ties within a microsecond, over 255
// distinct values of LowCardinality columns and addresses and ports kept
// as raw text: every column of every event must agree.
func TestEventColumnsMatchEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		day := recentDay(-2)
		evs := testEvents(day, 900)
		for i := range evs {
			evs[i].Sensor = fmt.Sprint("sensor-", i%300)
		}
		for i := range evs[:50] {
			evs[i].Time = day.Add(7 * time.Hour)
		}
		for i, b := range [][]event.Event{evs[:400], testEvents(day.Add(-time.Hour), 5), evs[400:]} {
			if err := s.InsertEvents(context.Background(), ten, "s", fmt.Sprint("b", i), b); err != nil {
				t.Fatal(err)
			}
		}
		want := readDay(t, s, ten, day, 1000)
		if len(want) != 900 {
			t.Fatalf("%d events, want 900", len(want))
		}
		for _, page := range []int{7, 128, 1000} {
			var got []StoredEvent
			cs, err := s.StreamEventColumns(context.Background(), ten, day, day.Add(24*time.Hour), Cursor{}, 3, page)
			if err != nil {
				t.Fatal(err)
			}
			for first := true; ; first = false {
				cols, err := cs.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				// Pages are full but the last (nothing is written meanwhile).
				if size := map[bool]int{true: 3, false: page}[first]; cols.Len() > size || cols.Len() < size && !cols.Done {
					t.Fatalf("page of %d: %d events, done %v", size, cols.Len(), cols.Done)
				}
				for i := range cols.Len() {
					e := cols.Event(ten, i)
					// The server path keeps them; the stream does not need them.
					e.BatchID, e.IngestTime = "", time.Time{}
					got = append(got, e)
				}
				if n := len(got); n > 0 && (cols.Next != Cursor{Time: got[n-1].Time, ID: got[n-1].ID}) {
					t.Fatalf("page ends at %v, its last event is %v %d", cols.Next, got[n-1].Time, got[n-1].ID)
				}
				cs.Release(cols)
			}
			cs.Close()
			if len(got) != len(want) {
				t.Fatalf("pages of %d: %d events, want %d", page, len(got), len(want))
			}
			for i := range want {
				w := want[i]
				w.BatchID, w.IngestTime = "", time.Time{}
				if !reflect.DeepEqual(got[i], w) {
					t.Fatalf("pages of %d, event %d:\n got %+v\nwant %+v", page, i, got[i], w)
				}
			}
		}
	})
}

// TestPageEnds plans a few pages at a time: the ends are every limit-th
// event in (time, id) order, ties included, at most pages of them.
func TestPageEnds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		day := recentDay(-2)
		evs := testEvents(day, 52)
		for i := range evs[:10] {
			evs[i].Time = day.Add(3 * time.Hour) // ties
		}
		if err := s.InsertEvents(context.Background(), ten, "s", "b", evs); err != nil {
			t.Fatal(err)
		}
		all := readDay(t, s, ten, day, 100)
		end := day.Add(24 * time.Hour)
		start := Cursor{Time: day.Add(-time.Microsecond), ID: ^uint64(0)}
		for _, tc := range []struct{ after, limit, pages, want int }{
			{0, 5, 3, 3}, {0, 5, 20, 10}, {15, 5, 20, 7}, {50, 5, 3, 0}, {0, 52, 1, 1}, {0, 53, 1, 0},
		} {
			after := start
			if tc.after > 0 {
				after = Cursor{Time: all[tc.after-1].Time, ID: all[tc.after-1].ID}
			}
			ends, err := s.pageEnds(context.Background(), ten, end, after, tc.limit, tc.pages)
			if err != nil {
				t.Fatal(err)
			}
			if len(ends) != tc.want {
				t.Fatalf("%+v: %d ends, want %d", tc, len(ends), tc.want)
			}
			for k, c := range ends {
				if e := all[tc.after+(k+1)*tc.limit-1]; !c.Time.Equal(e.Time) || c.ID != e.ID {
					t.Errorf("%+v: end %d is %v %d, want %v %d", tc, k, c.Time, c.ID, e.Time, e.ID)
				}
			}
		}
	})
}

// TestColumnStreamLateRows writes events into the end of the range while
// a stream is under way, after its pages were planned: they arrive in
// the last pages (which grow) rather than being skipped.
func TestColumnStreamLateRows(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		day := recentDay(-2)
		evs := testEvents(day, 200)
		slices.SortFunc(evs, func(a, b event.Event) int { return a.Time.Compare(b.Time) })
		if err := s.InsertEvents(context.Background(), ten, "s", "b", evs); err != nil {
			t.Fatal(err)
		}
		cs, err := s.StreamEventColumns(context.Background(), ten, day, day.Add(24*time.Hour), Cursor{}, 10, 10)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		seen := map[uint64]bool{}
		var prev Cursor
		for i := 0; ; i++ {
			cols, err := cs.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				// Planned by now (and some pages read ahead): late rows
				// within the last 50 events' span and after them.
				late := testEvents(day, 30)
				for j := range late {
					late[j].Time = evs[150].Time.Add(time.Duration(j) * time.Minute)
				}
				if err := s.InsertEvents(context.Background(), ten, "s", "late", late); err != nil {
					t.Fatal(err)
				}
			}
			for j := range cols.Len() {
				c := Cursor{Time: time.UnixMicro(cols.Time[j]).UTC(), ID: cols.ID[j]}
				if seen[c.ID] || c.Time.Before(prev.Time) || c.Time.Equal(prev.Time) && c.ID <= prev.ID {
					t.Fatalf("event %v %d twice or out of order", c.Time, c.ID)
				}
				seen[c.ID], prev = true, c
			}
			cs.Release(cols)
		}
		if len(seen) != 230 {
			t.Fatalf("%d events, want 230", len(seen))
		}
	})
}

// TestColumnStreamClose stops a stream early and after an error: Close
// returns (its statements released) and a finished stream reports EOF.
func TestColumnStreamClose(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		day := recentDay(-2)
		if err := s.InsertEvents(context.Background(), ten, "s", "b", testEvents(day, 500)); err != nil {
			t.Fatal(err)
		}
		end := day.Add(24 * time.Hour)
		cs, err := s.StreamEventColumns(context.Background(), ten, day, end, Cursor{}, 10, 10)
		if err != nil {
			t.Fatal(err)
		}
		if cols, err := cs.Next(); err != nil || cols.Len() != 10 || cols.Done {
			t.Fatalf("first page: %v", err)
		}
		closed := make(chan struct{})
		go func() { cs.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("Close did not return")
		}

		// A cancelled context ends the stream with its error.
		ctx, cancel := context.WithCancel(context.Background())
		cs, err = s.StreamEventColumns(ctx, ten, day, end, Cursor{}, 10, 10)
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		for {
			if _, err = cs.Next(); err != nil {
				break
			}
		}
		cs.Close()

		// A whole day: the last page is Done, then EOF.
		cs, err = s.StreamEventColumns(context.Background(), ten, day, end, Cursor{}, 1, 1000)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		n, done := 0, false
		for {
			cols, err := cs.Next()
			if err == io.EOF {
				break
			}
			if err != nil || done {
				t.Fatalf("after the Done page: %v", err)
			}
			n, done = n+cols.Len(), cols.Done
		}
		if n != 500 || !done {
			t.Fatalf("%d events, done %v; want 500, true", n, done)
		}
		if _, err := s.StreamEventColumns(context.Background(), ten, day, end, Cursor{}, 0, 10); !errors.Is(err, ErrInvalid) {
			t.Errorf("first page of 0: %v, want ErrInvalid", err)
		}
	})
}
