package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// Overview parameters.
const (
	sensorUpWithin   = 5 * time.Minute
	trendDays        = 7
	overviewParallel = 4
)

// overviewHandler serves GET /overview: the MSSP's view of every tenant.
type overviewHandler struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
}

type trendDayJSON struct {
	Day    string `json:"day"`
	Events uint64 `json:"events"`
}

type tenantOverviewJSON struct {
	Tenant          string         `json:"tenant"`
	Name            string         `json:"name"`
	SensorsUp       int            `json:"sensors_up"`
	SensorsDown     int            `json:"sensors_down"`
	EventsToday     uint64         `json:"events_today"`
	HighEventsToday uint64         `json:"high_events_today"`
	Trend           []trendDayJSON `json:"trend"`
	Error           string         `json:"error,omitempty"`
}

func (h overviewHandler) overview(c *gin.Context) {
	ctx := c.Request.Context()
	list, err := h.store.Tenants(ctx)
	if err != nil {
		fail(c, err)
		return
	}
	now := h.now().UTC()
	out := make([]tenantOverviewJSON, len(list))
	sem := make(chan struct{}, overviewParallel)
	var wg sync.WaitGroup
	for i, v := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = h.tenant(ctx, v, now)
		}()
	}
	wg.Wait()
	c.JSON(http.StatusOK, gin.H{"generated_at": now, "tenants": out})
}

// tenant builds one tenant's line. A failure is reported in the line (and
// not for the whole answer): one tenant's trouble must not blind the
// operator to the others.
func (h overviewHandler) tenant(ctx context.Context, v store.Tenant, now time.Time) tenantOverviewJSON {
	o := tenantOverviewJSON{Tenant: string(v.ID), Name: v.Name, Trend: make([]trendDayJSON, trendDays)}
	// Days are the tenant's, as in its day view.
	loc := time.UTC
	if v.TimeZone != "" {
		if l, err := loadZone(v.TimeZone); err == nil {
			loc = l
		} else {
			h.log.Warn("overview: tenant time zone unknown; using UTC", "tenant", v.ID, "time_zone", v.TimeZone, "err", err)
		}
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	from := today.AddDate(0, 0, -(trendDays - 1))
	day := make(map[string]int, trendDays)
	for i := range o.Trend {
		o.Trend[i].Day = from.AddDate(0, 0, i).Format(time.DateOnly)
		day[o.Trend[i].Day] = i
	}
	sensors, err := h.store.Sensors(ctx, v.ID)
	if err != nil {
		h.log.Error("overview: cannot list sensors", "tenant", v.ID, "err", err)
		o.Error = "sensors unavailable"
		return o
	}
	for _, s := range sensors {
		switch {
		case s.Revoked:
		case !s.LastSeen.IsZero() && now.Sub(s.LastSeen) <= sensorUpWithin:
			o.SensorsUp++
		default:
			o.SensorsDown++
		}
	}
	tomorrow := today.AddDate(0, 0, 1)
	counts, err := h.store.CountsPerLocalDay(ctx, v.ID, from, tomorrow, loc)
	if err != nil {
		h.log.Error("overview: cannot count events", "tenant", v.ID, "err", err)
		o.Error = "counts unavailable"
		return o
	}
	for _, d := range counts {
		if i, ok := day[d.Day.Format(time.DateOnly)]; ok {
			o.Trend[i].Events = d.Events
		}
	}
	o.EventsToday = o.Trend[trendDays-1].Events
	if o.EventsToday > 0 {
		if o.HighEventsToday, err = h.highToday(ctx, v.ID, today, tomorrow); err != nil {
			h.log.Error("overview: cannot count high-severity events", "tenant", v.ID, "err", err)
			o.Error = "severity counts unavailable"
		}
	}
	return o
}

// highToday counts tenant t's high-severity events in [from, to) (the
// tenant's today), through the tenant-walled SQL path (the store has no
// severity counts).
func (h overviewHandler) highToday(ctx context.Context, t tenant.ID, from, to time.Time) (uint64, error) {
	q := fmt.Sprintf("SELECT sum(count) FROM events WHERE time >= fromUnixTimestamp64Micro(%d, 'UTC') AND time < fromUnixTimestamp64Micro(%d, 'UTC') AND severity = 'high'",
		from.UnixMicro(), to.UnixMicro())
	res, err := h.store.QuerySQL(ctx, t, q, store.Limits{MaxRows: 1, MaxExecutionTime: 30 * time.Second})
	if err != nil {
		return 0, err
	}
	if len(res.Rows) != 1 {
		return 0, fmt.Errorf("high-severity count of tenant %s: got %d rows, want 1", t, len(res.Rows))
	}
	var row []json.RawMessage
	if err := json.Unmarshal(res.Rows[0], &row); err != nil || len(row) != 1 {
		return 0, fmt.Errorf("high-severity count of tenant %s: bad row %s", t, res.Rows[0])
	}
	s := string(row[0])
	if uq, err := strconv.Unquote(s); err == nil { // 64-bit integers may come quoted
		s = uq
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("high-severity count of tenant %s: %w", t, err)
	}
	return n, nil
}
