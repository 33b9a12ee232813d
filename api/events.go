package api

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/zstd"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// chunkFormat versions the chunk layout; it is part of the ETag.
const chunkFormat = "c4"

// maxCountDays bounds a counts request.
const maxCountDays = 400

// eventsHandler serves a tenant's events: per-day chunk streams and daily
// counts.
type eventsHandler struct {
	store store.EventReader
	// zone returns the tenant's time zone, whose midnights bound its days.
	zone        func(ctx context.Context, t tenant.ID) (*time.Location, error)
	now         func() time.Time
	chunk       int
	closedAfter time.Duration
	poll        time.Duration
	log         *slog.Logger
	metrics     *apiMetrics
	// slots bounds the day streams running at once; a request waits up
	// to slotWait for one.
	slots    chan struct{}
	slotWait time.Duration
}

// acquire waits up to slotWait for a free stream slot (release it with
// h.release): false, with the answer sent, when none came in time or the
// client left.
func (h *eventsHandler) acquire(c *gin.Context) bool {
	select {
	case h.slots <- struct{}{}:
		return true
	default:
	}
	h.metrics.dayStreamsWaiting.Inc()
	defer h.metrics.dayStreamsWaiting.Dec()
	t := time.NewTimer(h.slotWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return true
	case <-t.C:
		fail(c, &Error{Status: http.StatusServiceUnavailable, Msg: "too many day streams at once; try again shortly", RetryAfter: 5 * time.Second})
	case <-c.Request.Context().Done():
		c.Abort() // nobody is left to answer
	}
	return false
}

func (h *eventsHandler) release() { <-h.slots }

// parseDay reads a YYYY-MM-DD day of loc: its first instant.
func parseDay(s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, publicf(http.StatusBadRequest, "day must be YYYY-MM-DD")
	}
	return d, nil
}

// nextDay is the first instant of the day after day (in day's zone): 23
// or 25 hours later on days when the clocks change.
func nextDay(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, day.Location())
}

// negotiate picks the stream's encoding from Accept-Encoding: zstd, then
// gzip, else none. q=0 exclusions are honoured.
func negotiate(accept string) string {
	has := map[string]bool{}
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			continue
		}
		has[strings.ToLower(strings.TrimSpace(name))] = true
	}
	switch {
	case has["zstd"]:
		return "zstd"
	case has["gzip"]:
		return "gzip"
	}
	return "identity"
}

// day answers GET /tenants/{tenant}/events?day=YYYY-MM-DD[&cursor=…][&ids=false]: the
// day's events in (time, id) order as a stream of frames (see
// chunkEncoder), each flushed as soon as it is encoded; a client that
// loses the connection resumes with the last chunk's cursor. A closed day
// (ended more than closedAfter ago) cannot change, so its stream carries
// an ETag and may be cached.
func (h *eventsHandler) day(c *gin.Context) {
	t := tenantOf(c)
	ctx := c.Request.Context()
	loc, err := h.zone(ctx, t)
	if err != nil {
		fail(c, err)
		return
	}
	day, err := parseDay(c.Query("day"), loc)
	if err != nil {
		fail(c, err)
		return
	}
	// ids=false leaves the event IDs out (see chunkEncoder).
	ids := c.Query("ids") != "false"
	cursor, err := store.ParseCursor(c.Query("cursor"))
	if err != nil {
		fail(c, publicf(http.StatusBadRequest, "malformed cursor"))
		return
	}
	end := nextDay(day)
	enc := negotiate(c.GetHeader("Accept-Encoding"))
	c.Header("Vary", "Accept-Encoding")

	closed := !h.now().Before(end.Add(h.closedAfter))
	if closed {
		rows, err := h.store.CountRows(ctx, t, day, end)
		if err != nil {
			fail(c, err)
			return
		}
		// The zone is part of the tag: the same date is another day in
		// another zone. The count changes when a late batch lands in the
		// day or retention drops it.
		etag := fmt.Sprintf(`"%s-%s-%s-%s-%d-%s-%s-%t"`, chunkFormat, t, day.Format(time.DateOnly), loc, rows, cursor, enc, ids)
		c.Header("ETag", etag)
		c.Header("Cache-Control", "private, max-age=31536000, immutable")
		if inm := c.GetHeader("If-None-Match"); inm != "" && (inm == etag || strings.Contains(inm, etag)) {
			c.Status(http.StatusNotModified)
			return
		}
	} else {
		c.Header("Cache-Control", "no-store")
	}

	if !h.acquire(c) {
		return
	}
	defer h.release()
	h.metrics.dayStreamsRunning.Inc()
	defer h.metrics.dayStreamsRunning.Dec()
	stream, err := h.store.StreamEventColumns(ctx, t, day, end, cursor, min(h.chunk, firstChunkEvents), h.chunk)
	if err != nil {
		fail(c, err)
		return
	}
	defer stream.Close()
	page, err := stream.Next()
	if err != nil {
		fail(c, err)
		return
	}

	c.Header("Content-Type", "application/vnd.spoor.frames")
	if enc != "identity" {
		c.Header("Content-Encoding", enc)
	}
	c.Status(http.StatusOK)
	w, flush, closeW := compressor(c.Writer, enc)
	ce := newChunkEncoder(ids)
	for {
		if _, err := w.Write(ce.encode(page)); err != nil {
			break
		}
		h.metrics.streamedEvents("day", page.Len())
		done := page.Done
		stream.Release(page)
		if done {
			break
		}
		// Each chunk goes out whole: the first within the first-byte
		// budget, the others as the client's progress.
		if err := flush(); err != nil {
			break
		}
		c.Writer.Flush()
		if page, err = stream.Next(); err != nil {
			// Headers are gone: end the stream early; the client resumes
			// from the last cursor it got.
			h.log.Error("day stream failed", "tenant", t, "day", day.Format(time.DateOnly), "err", err)
			break
		}
	}
	if err := closeW(); err == nil {
		c.Writer.Flush()
	}
}

// firstChunkEvents is the size of a stream's first chunk: small, so the
// client has its first events (and a cursor) within the first-byte budget
// of 200 ms, whatever the chunk size.
const firstChunkEvents = 4096

// compressor wraps w in the chosen encoding; flush pushes out what was
// written so far (a chunk), closeW ends the stream.
func compressor(w io.Writer, enc string) (out io.Writer, flush func() error, closeW func() error) {
	switch enc {
	case "zstd":
		// Concurrency 2: full blocks are compressed in the encoder's own
		// goroutine while the handler encodes the next chunk. SpeedFastest
		// would halve the work but miss 12 bytes per event on the wire.
		z, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(2),
			zstd.WithWindowSize(1<<20))
		if err != nil {
			panic("BUG: zstd options: " + err.Error())
		}
		return z, z.Flush, z.Close
	case "gzip":
		g, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		return g, g.Flush, g.Close
	}
	nop := func() error { return nil }
	return w, nop, nop
}

type dayCountJSON struct {
	Day    string `json:"day"`
	Rows   uint64 `json:"rows"`
	Events uint64 `json:"events"`
}

// counts answers GET /tenants/{tenant}/counts?from=YYYY-MM-DD&to=YYYY-MM-DD
// (both days included): events per day of the tenant's time zone, days
// without events left out.
func (h *eventsHandler) counts(c *gin.Context) {
	t := tenantOf(c)
	loc, err := h.zone(c.Request.Context(), t)
	if err != nil {
		fail(c, err)
		return
	}
	from, err := parseDay(c.Query("from"), loc)
	if err != nil {
		fail(c, err)
		return
	}
	to, err := parseDay(c.Query("to"), loc)
	if err != nil {
		fail(c, err)
		return
	}
	if to.Before(from) || to.Sub(from) > maxCountDays*24*time.Hour+time.Hour {
		fail(c, publicf(http.StatusBadRequest, "to must be on or after from, at most %d days later", maxCountDays))
		return
	}
	list, err := h.store.CountsPerLocalDay(c.Request.Context(), t, from, nextDay(to), loc)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]dayCountJSON, len(list))
	for i, d := range list {
		out[i] = dayCountJSON{Day: d.Day.Format(time.DateOnly), Rows: d.Rows, Events: d.Events}
	}
	c.JSON(http.StatusOK, gin.H{"days": out})
}
