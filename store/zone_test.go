package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestLocalDays reads days of a zone with daylight saving time: Berlin's
// 2025-03-30 lasts 23 hours and 2025-10-26 lasts 25.
func TestLocalDays(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	times := []time.Time{
		utc("2025-03-29T22:59:59Z"), // 23:59:59 on the 29th in Berlin
		utc("2025-03-29T23:00:00Z"), // the 30th's first second
		utc("2025-03-30T21:59:59Z"), // its last (23 hours later)
		utc("2025-03-30T22:00:00Z"), // the 31st
		utc("2025-10-25T22:00:00Z"), // the 26th's first second
		utc("2025-10-26T22:30:00Z"), // its 25th hour
		utc("2025-10-26T23:00:00Z"), // the 27th
	}
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		evs := testEvents(times[0], len(times))
		for i := range evs {
			evs[i].Time, evs[i].Count = times[i], 1
		}
		if err := s.InsertEvents(context.Background(), ten, "s", "b", evs); err != nil {
			t.Fatal(err)
		}
		days := []struct {
			day  string
			want []time.Time
		}{
			{"2025-03-30", times[1:3]},
			{"2025-10-26", times[4:6]},
		}
		for _, d := range days {
			t.Run(d.day, func(t *testing.T) {
				day, _ := time.ParseInLocation(time.DateOnly, d.day, berlin)
				end := day.AddDate(0, 0, 1)
				p, err := s.EventsBetween(context.Background(), ten, day, end, Cursor{}, 100, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Events) != len(d.want) || !p.Done {
					t.Fatalf("got %d events (done %v), want %d", len(p.Events), p.Done, len(d.want))
				}
				for i, e := range p.Events {
					if !e.Time.Equal(d.want[i]) {
						t.Errorf("event %d at %v, want %v", i, e.Time, d.want[i])
					}
				}
			})
		}
		from := time.Date(2025, 3, 29, 0, 0, 0, 0, berlin)
		to := time.Date(2025, 10, 28, 0, 0, 0, 0, berlin)
		got, err := s.CountsPerLocalDay(context.Background(), ten, from, to, berlin)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"2025-03-29:1", "2025-03-30:2", "2025-03-31:1", "2025-10-26:2", "2025-10-27:1"}
		if len(got) != len(want) {
			t.Fatalf("CountsPerLocalDay = %+v, want %v", got, want)
		}
		for i, c := range got {
			if s := c.Day.Format(time.DateOnly) + ":" + string(rune('0'+c.Events)); s != want[i] || c.Day.Location() != berlin || c.Day.Hour() != 0 {
				t.Errorf("day %d = %v with %d events, want %s at Berlin midnight", i, c.Day, c.Events, want[i])
			}
		}
		if _, err := s.CountsPerLocalDay(context.Background(), ten, from, to, time.Local); err == nil {
			t.Error("CountsPerLocalDay in time.Local: got no error")
		}
	})
}

// TestEventsBetweenReusesBuffer reads pages into the previous page's
// array: they must equal pages read into fresh memory.
func TestEventsBetweenReusesBuffer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ten := addTenant(t, s, "acme", 0)
		day := recentDay(-2)
		if err := s.InsertEvents(context.Background(), ten, "s", "b", testEvents(day, 600)); err != nil {
			t.Fatal(err)
		}
		end := day.Add(24 * time.Hour)
		var buf []StoredEvent
		var cur, fresh Cursor
		for pages := 0; ; pages++ {
			p, err := s.EventsBetween(context.Background(), ten, day, end, cur, 250, buf)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.EventsBetween(context.Background(), ten, day, end, fresh, 250, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, want) {
				t.Fatalf("page %d read into a reused array differs from a fresh read", pages)
			}
			if pages > 0 && len(p.Events) > 0 && len(buf) > 0 && &p.Events[0] != &buf[:1][0] {
				t.Errorf("page %d: the array was not reused", pages)
			}
			if p.Done {
				break
			}
			buf, cur, fresh = p.Events, p.Next, want.Next
		}
	})
}

func TestRowBinaryStringArray(t *testing.T) {
	data := []byte("\x01\x04tags\x0dArray(String)\x02\x02c2\x06beacon\x00")
	r, err := newRBRows(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for r.Next() {
		var v []string
		if err := r.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"c2", "beacon"}, {}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	var s string
	r2, _ := newRBRows(data, nil)
	r2.Next()
	if err := r2.Scan(&s); err == nil {
		t.Error("scanning an Array(String) into a string: got no error")
	}
}
