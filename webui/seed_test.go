package webui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/spoorsec/spoor/internal/eventmix"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// seedDay inserts eventmix's day of n events for tenant t in batches of
// 50,000; net is the tenant's internal /16 prefix ("10.1").
func seedDay(tb testing.TB, st *store.Store, t tenant.ID, day time.Time, n int, prefix, net string, seed uint64) {
	tb.Helper()
	const batch = 50_000
	evs := eventmix.Day(day, n, prefix, net, seed)
	for start := 0; start < n; start += batch {
		if err := st.InsertEvents(context.Background(), t, "s-seed", fmt.Sprintf("seed-%s-%d-%d", t, seed, start), evs[start:min(start+batch, n)]); err != nil {
			tb.Fatalf("InsertEvents: %v", err)
		}
	}
}
