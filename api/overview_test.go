package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/store"
)

func TestOverview(t *testing.T) {
	ten := newTenant(t, "overview")
	ctx := context.Background()
	now := testNow().UTC()
	today := now.Truncate(24 * time.Hour)
	for _, s := range []store.Sensor{{ID: "s-up", Name: "up"}, {ID: "s-stale", Name: "stale"}, {ID: "s-never", Name: "never"},
		{ID: "s-revoked", Name: "revoked", Revoked: true}} {
		if err := env.store.PutSensor(ctx, ten, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.store.TouchSensor(ctx, ten, "s-up", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := env.store.TouchSensor(ctx, ten, "s-stale", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	ev := func(at time.Time, info string, count int) event.Event {
		return event.Event{Time: at, Sensor: "edge", SrcIP: "10.0.0.1", DstIP: "198.51.100.7", Proto: "UDP",
			Type: event.TypeDNS, Trail: "x.example", Info: info, Reference: "(static)", Count: count}
	}
	batch := []event.Event{
		ev(today.Add(time.Minute), "zeus (malware)", 3),      // high, counts 3
		ev(today.Add(2*time.Minute), "known attacker", 1),    // low
		ev(today.Add(-48*time.Hour), "zeus (malware)", 1),    // two days ago
		ev(today.Add(-10*24*time.Hour), "zeus (malware)", 1), // outside the trend
	}
	if err := env.store.InsertEvents(ctx, ten, "s-up", "b-overview", batch); err != nil {
		t.Fatal(err)
	}

	r := call(t, "GET", "/api/v1/overview", adminToken(t), nil)
	if r.Code != http.StatusOK {
		t.Fatalf("got %d %s, want 200", r.Code, r.Body)
	}
	var got struct{ Tenants []tenantOverviewJSON }
	r.json(t, &got)
	var o *tenantOverviewJSON
	for i := range got.Tenants {
		if got.Tenants[i].Tenant == string(ten) {
			o = &got.Tenants[i]
		}
	}
	if o == nil {
		t.Fatalf("tenant %s missing from %s", ten, r.Body)
	}
	if o.Error != "" || o.SensorsUp != 1 || o.SensorsDown != 2 || o.EventsToday != 4 || o.HighEventsToday != 3 {
		t.Errorf("got %+v, want 1 up, 2 down, 4 events today of which 3 high, no error", *o)
	}
	wantTrend := make([]uint64, trendDays)
	wantTrend[trendDays-1], wantTrend[trendDays-3] = 4, 1
	if len(o.Trend) != trendDays {
		t.Fatalf("got %d trend days, want %d", len(o.Trend), trendDays)
	}
	for i, d := range o.Trend {
		if wantDay := today.AddDate(0, 0, i-(trendDays-1)).Format(time.DateOnly); d.Day != wantDay || d.Events != wantTrend[i] {
			t.Errorf("trend[%d]: got %s %d, want %s %d", i, d.Day, d.Events, wantDay, wantTrend[i])
		}
	}
}

// TestOverviewTenantZone checks that "today" and the trend are the
// tenant's days: an event a minute after its midnight is today's, one a
// minute before is yesterday's, whatever the UTC date.
func TestOverviewTenantZone(t *testing.T) {
	ten := newTenant(t, "overview-zone")
	const zone = "Etc/GMT-14" // UTC+14: its date is ahead of UTC's most of the day
	if r := call(t, "PUT", "/api/v1/tenants/"+string(ten), adminToken(t), map[string]string{"time_zone": zone}); r.Code != http.StatusOK {
		t.Fatalf("set time zone: got %d %s, want 200", r.Code, r.Body)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	local := testNow().In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	ev := func(at time.Time, count int) event.Event {
		return event.Event{Time: at.UTC(), Sensor: "edge", SrcIP: "10.0.0.1", DstIP: "198.51.100.7", Proto: "UDP",
			Type: event.TypeDNS, Trail: "x.example", Info: "zeus (malware)", Reference: "(static)", Count: count}
	}
	batch := []event.Event{ev(midnight.Add(time.Minute), 2), ev(midnight.Add(-time.Minute), 1)}
	if err := env.store.InsertEvents(context.Background(), ten, "s", "b-overview-zone", batch); err != nil {
		t.Fatal(err)
	}
	r := call(t, "GET", "/api/v1/overview", adminToken(t), nil)
	if r.Code != http.StatusOK {
		t.Fatalf("got %d %s, want 200", r.Code, r.Body)
	}
	var got struct{ Tenants []tenantOverviewJSON }
	r.json(t, &got)
	for _, o := range got.Tenants {
		if o.Tenant != string(ten) {
			continue
		}
		if o.EventsToday != 2 || o.HighEventsToday != 2 {
			t.Errorf("got %d events today, %d high; want 2 and 2", o.EventsToday, o.HighEventsToday)
		}
		last, prev := o.Trend[trendDays-1], o.Trend[trendDays-2]
		if last.Day != midnight.Format(time.DateOnly) || last.Events != 2 || prev.Events != 1 {
			t.Errorf("got trend ending %+v %+v, want %s with 2 events after a day with 1", prev, last, midnight.Format(time.DateOnly))
		}
		return
	}
	t.Fatalf("tenant %s missing from %s", ten, r.Body)
}
