package api

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// seedDay inserts n events for tenant t spread over the UTC day, in
// batches; a few share a timestamp so that ties are exercised. It returns
// the events' times in insertion order.
func seedDay(tb testing.TB, t tenant.ID, day time.Time, n int) {
	tb.Helper()
	const batch = 50_000
	trails := []string{"evil.example", "bad.example.net", "198.51.100.7", "c2.example.org", "phish.example"}
	step := 24 * time.Hour / time.Duration(n+1)
	for start := 0; start < n; start += batch {
		evs := make([]event.Event, 0, min(batch, n-start))
		for i := start; i < min(start+batch, n); i++ {
			ts := day.Add(step * time.Duration(i-i%3)) // triples share a time
			evs = append(evs, event.Event{
				Time: ts.Truncate(time.Microsecond), Sensor: "edge-1",
				SrcIP: fmt.Sprintf("10.0.%d.%d", i%7, i%200), SrcPort: fmt.Sprint(40000 + i%1000),
				DstIP: "198.51.100.7", DstPort: "53", Proto: "UDP", Type: event.TypeDNS,
				Trail: trails[i%len(trails)], Info: "malware", Reference: "(static)",
			})
		}
		if err := env.store.InsertEvents(context.Background(), t, "s-seed", fmt.Sprintf("b-%s-%d", day.Format(time.DateOnly), start), evs); err != nil {
			tb.Fatalf("InsertEvents: %v", err)
		}
	}
}
