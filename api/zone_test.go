package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
)

// TestTenantDaysFollowItsZone serves New York's 2025-11-02, which lasts
// 25 hours (the clocks go back), and counts the days around it.
func TestTenantDaysFollowItsZone(t *testing.T) {
	tn := newTenant(t, "zone")
	if r := call(t, "PUT", "/api/v1/tenants/"+string(tn), adminToken(t), `{"time_zone":"America/New_York"}`); r.Code != 200 {
		t.Fatalf("set zone: got %d %s", r.Code, r.Body)
	}
	// One event an hour, 2025-11-02 02:00 to 2025-11-03 07:00 UTC.
	start := time.Date(2025, 11, 2, 2, 0, 0, 0, time.UTC)
	var evs []event.Event
	for h := range 30 {
		evs = append(evs, event.Event{Time: start.Add(time.Duration(h) * time.Hour), Sensor: "edge", SrcIP: "10.0.0.1",
			DstIP: "198.51.100.7", Proto: "UDP", Type: event.TypeDNS, Trail: "evil.example", Info: "malware", Reference: "(static)"})
	}
	if err := env.store.InsertEvents(context.Background(), tn, "s", "b-zone", evs); err != nil {
		t.Fatal(err)
	}
	_, tok := newUser(t, tn, RoleViewer)
	path := "/api/v1/tenants/" + string(tn) + "/events?day=2025-11-02"

	r := call(t, "GET", path, tok, nil, withHeader("Accept-Encoding", "zstd"))
	if r.Code != 200 {
		t.Fatalf("got %d %s, want 200", r.Code, r.Body)
	}
	got := flatten(t, decodeStream(t, r))
	first, last := time.Date(2025, 11, 2, 4, 0, 0, 0, time.UTC), time.Date(2025, 11, 3, 4, 0, 0, 0, time.UTC)
	if len(got) != 25 || got[0].us != first.UnixMicro() || got[24].us != last.UnixMicro() {
		t.Fatalf("got %d events, want the 25 from %v to %v", len(got), first, last)
	}
	etag := r.Header.Get("ETag")
	if !strings.Contains(etag, "America/New_York") {
		t.Errorf("ETag %q does not name the zone", etag)
	}

	r = call(t, "GET", "/api/v1/tenants/"+string(tn)+"/counts?from=2025-11-01&to=2025-11-03", tok, nil)
	want := `{"days":[{"day":"2025-11-01","rows":2,"events":2},{"day":"2025-11-02","rows":25,"events":25},{"day":"2025-11-03","rows":3,"events":3}]}`
	if r.Code != 200 || string(r.Body) != want {
		t.Errorf("counts: got %d %s, want %s", r.Code, r.Body, want)
	}

	// In UTC the same date is another day, with another tag.
	if r := call(t, "PUT", "/api/v1/tenants/"+string(tn), adminToken(t), `{"time_zone":"UTC"}`); r.Code != 200 {
		t.Fatalf("set zone: got %d %s", r.Code, r.Body)
	}
	r = call(t, "GET", path, tok, nil, withHeader("Accept-Encoding", "zstd"), withHeader("If-None-Match", etag))
	if r.Code != http.StatusOK {
		t.Fatalf("old zone's ETag after the change: got %d, want 200", r.Code)
	}
	if n := len(flatten(t, decodeStream(t, r))); n != 22 {
		t.Errorf("UTC day: got %d events, want 22 (02:00 to 23:00)", n)
	}
}
