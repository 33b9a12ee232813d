package store

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// MaxPageSize bounds EventPage's limit.
const MaxPageSize = 100_000

// Cursor is a position in a tenant's events, ordered by (time, ID). The
// zero Cursor is the start.
type Cursor struct {
	Time time.Time
	ID   uint64
}

// String encodes the cursor for a client ("" for the start).
func (c Cursor) String() string {
	if c.Time.IsZero() && c.ID == 0 {
		return ""
	}
	return strconv.FormatInt(c.Time.UnixMicro(), 10) + "-" + strconv.FormatUint(c.ID, 10)
}

// ParseCursor decodes Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	us, id, ok := strings.Cut(s, "-")
	t, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseUint(id, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return Cursor{}, fmt.Errorf("%w: cursor %q", ErrInvalid, s)
	}
	return Cursor{Time: time.UnixMicro(t).UTC(), ID: n}, nil
}

// EventPage is one chunk of a day's events.
type EventPage struct {
	Events []StoredEvent
	// Next continues after the last event; Done means the day has no more
	// events now (more may arrive later).
	Next Cursor
	Done bool
}

// eventScanner reads events from rows (the server engine) into scratch
// fields it points at once, rather than per row.
type eventScanner struct {
	dec                              *eventDecoder
	e                                StoredEvent
	ts, typ                          string
	srcIP, dstIP                     netip.Addr
	srcRaw, srcPRaw, dstRaw, dstPRaw string
	srcPort, dstPort                 uint16
	sev                              int8
	count                            uint32
	dest                             []any
}

func newEventScanner(dec *eventDecoder) *eventScanner {
	s := &eventScanner{dec: dec}
	e, c := &s.e, &s.e.Context
	s.dest = []any{&s.ts, &e.Time, &e.ID, &e.Sensor, &s.srcIP, &s.srcRaw, &s.srcPort, &s.srcPRaw,
		&s.dstIP, &s.dstRaw, &s.dstPort, &s.dstPRaw, &e.Proto, &s.typ, &e.Trail, &e.Info, &e.Reference,
		&s.sev, &s.count, &c.DNSQType, &c.DNSRcode, &c.HTTPMethod, &c.HTTPHost, &c.HTTPURI, &c.HTTPUserAgent,
		&c.TLSSNI, &c.JA4, &c.CertSHA1, &e.SensorID, &e.BatchID, &e.IngestTime}
	return s
}

// scan reads the current row into e.
func (s *eventScanner) scan(r rows, e *StoredEvent) error {
	dest := s.dest
	if !s.dec.full {
		dest = dest[:nStreamColumns]
	}
	if err := r.Scan(dest...); err != nil {
		return err
	}
	if s.ts != string(s.dec.tenant) {
		return fmt.Errorf("BUG: store: event of tenant %q in a read for %s", s.ts, s.dec.tenant)
	}
	*e = s.e
	e.Tenant = s.dec.tenant
	e.Time, e.IngestTime = e.Time.UTC(), e.IngestTime.UTC()
	e.Type = event.Type(s.typ)
	e.SrcIP, e.DstIP = s.srcRaw, s.dstRaw
	if e.SrcIP == "" {
		e.SrcIP = s.dec.addrText(s.srcIP.As16())
	}
	if e.DstIP == "" {
		e.DstIP = s.dec.addrText(s.dstIP.As16())
	}
	e.SrcPort, e.DstPort = s.srcPRaw, s.dstPRaw
	if e.SrcPort == "" {
		e.SrcPort = portText(s.srcPort)
	}
	if e.DstPort == "" {
		e.DstPort = portText(s.dstPort)
	}
	e.Severity = event.Severity(s.sev)
	e.Count = int(s.count)
	return nil
}

// DayEvents returns up to limit of tenant t's events of the UTC day that
// contains day, after cursor after, ordered by (time, ID). Page through a
// day by passing the previous page's Next until Done.
func (s *Store) DayEvents(ctx context.Context, t tenant.ID, day time.Time, after Cursor, limit int) (EventPage, error) {
	start := day.UTC().Truncate(24 * time.Hour)
	return s.EventsBetween(ctx, t, start, start.Add(24*time.Hour), after, limit, nil)
}

// EventsBetween returns up to limit of tenant t's events with times in
// [from, to), after cursor after, ordered by (time, ID): a day of a time
// zone, whose length may be 23 or 25 hours. Page through it by passing the
// previous page's Next until Done.
//
// If buf is not nil, the page's events are decoded into its array when it
// is large enough (a previous page's Events, to save allocating a page per
// read): the events that were in it are overwritten.
//
// A page takes two statements: the engine finds the page's last (time, ID)
// by reading only those two columns in order, then returns every column
// of the rows up to it in any order, decoded column by column and sorted
// here. Reading all columns in order costs the engine up to ten times more
// wherever a day's parts overlap in time (a day not yet merged): it merges
// every column of every part row by row.
func (s *Store) EventsBetween(ctx context.Context, t tenant.ID, from, to time.Time, after Cursor, limit int, buf []StoredEvent) (EventPage, error) {
	if err := checkTenant(t); err != nil {
		return EventPage{}, err
	}
	if limit <= 0 || limit > MaxPageSize {
		return EventPage{}, fmt.Errorf("%w: page size %d (1..%d)", ErrInvalid, limit, MaxPageSize)
	}
	after = startAfter(after, from)
	last, full, err := s.pageEnd(ctx, t, to, after, limit)
	if err != nil {
		return EventPage{}, fmt.Errorf("store: cannot read events of tenant %s: %w", t, err)
	}
	sql, params := rangeEventsQuery(s.db, t, to, after, last, full, true)
	r, err := s.be.startRead(ctx, sql, params)
	if err != nil {
		return EventPage{}, fmt.Errorf("store: cannot read events of tenant %s: %w", t, err)
	}
	cols := columnPages.Get().(*EventColumns)
	defer columnPages.Put(cols)
	dec := getEventDecoder(t, true)
	err = readPage(r, dec, cols)
	putEventDecoder(dec)
	if err != nil {
		return EventPage{}, fmt.Errorf("store: cannot read events of tenant %s: %w", t, err)
	}
	// Rows written into the range between the two statements (a late
	// batch) come after the page's end, never instead of an event.
	n := min(cols.Len(), limit)
	if cap(buf) < n {
		buf = make([]StoredEvent, 0, n)
	}
	page := EventPage{Events: cols.appendEvents(buf[:0], t, n), Next: after, Done: n < limit}
	if n > 0 {
		page.Next = Cursor{Time: page.Events[n-1].Time, ID: page.Events[n-1].ID}
	}
	return page, nil
}

// startAfter is the cursor a read of a range from from starts after: after,
// or just before from if after is earlier.
func startAfter(after Cursor, from time.Time) Cursor {
	if after.Time.Before(from) {
		return Cursor{Time: from.Add(-time.Microsecond), ID: ^uint64(0)}
	}
	return after
}

// readPage decodes a started statement into cols (emptied first) in
// (time, ID) order, and releases the statement.
func readPage(r pendingRead, dec *eventDecoder, cols *EventColumns) error {
	defer r.close()
	cols.reset()
	if err := r.decodeInto(dec, cols); err != nil {
		return err
	}
	cols.sortByTime()
	return nil
}

// columnPages keeps EventsBetween's column arrays from one page to the
// next (the events it returns share no memory with them but strings).
var columnPages = sync.Pool{New: func() any { return new(EventColumns) }}

// rangeBounds is the WHERE clause of a page after {after_t, after_id}
// within [after_t, end). The plain time bounds let the primary key prune;
// the tuple comparison breaks ties within a microsecond.
const rangeBounds = " WHERE tenant = {tenant:String}" +
	" AND time >= fromUnixTimestamp64Micro({after_t:Int64}, 'UTC') AND time < fromUnixTimestamp64Micro({end:Int64}, 'UTC')" +
	" AND (time, id) > (fromUnixTimestamp64Micro({after_t:Int64}, 'UTC'), {after_id:UInt64})"

func rangeParams(t tenant.ID, end time.Time, after Cursor) []param {
	return []param{
		strParam("tenant", string(t)),
		{"after_t", strconv.FormatInt(after.Time.UnixMicro(), 10)},
		{"after_id", strconv.FormatUint(after.ID, 10)},
		{"end", strconv.FormatInt(end.UnixMicro(), 10)},
	}
}

// pageEnd finds the (time, ID) of the limit-th event after after and
// before end; full is false when fewer remain.
func (s *Store) pageEnd(ctx context.Context, t tenant.ID, end time.Time, after Cursor, limit int) (last Cursor, full bool, err error) {
	sql := "SELECT time, id FROM " + s.db + ".events" + rangeBounds +
		" ORDER BY time, id LIMIT 1 OFFSET {skip:UInt32}"
	r, err := s.be.query(ctx, sql, append(rangeParams(t, end, after), param{"skip", strconv.Itoa(limit - 1)}))
	if err != nil {
		return Cursor{}, false, err
	}
	defer r.Close()
	if !r.Next() {
		return Cursor{}, false, r.Err()
	}
	if err := r.Scan(&last.Time, &last.ID); err != nil {
		return Cursor{}, false, err
	}
	last.Time = last.Time.UTC()
	return last, true, r.Err()
}

// pageEnds finds the (time, ID) of every limit-th event after after and
// before end, in order, for at most pages pages: the ends of the next full
// pages of a range, planned in one statement (a statement per page reads
// the range's remaining (time, id) again each time: four times the work
// for a day of ten pages). The engine sorts at most pages × limit rows.
func (s *Store) pageEnds(ctx context.Context, t tenant.ID, end time.Time, after Cursor, limit, pages int) ([]Cursor, error) {
	sql := "SELECT time, id FROM (SELECT time, id, row_number() OVER (ORDER BY time, id) AS n FROM (SELECT time, id FROM " +
		s.db + ".events" + rangeBounds + " ORDER BY time, id LIMIT {rows:UInt64})) WHERE n % {limit:UInt32} = 0 ORDER BY n"
	params := append(rangeParams(t, end, after), param{"limit", strconv.Itoa(limit)}, param{"rows", strconv.Itoa(limit * pages)})
	r, err := s.be.query(ctx, sql, params)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var ends []Cursor
	for r.Next() {
		var c Cursor
		if err := r.Scan(&c.Time, &c.ID); err != nil {
			return nil, err
		}
		c.Time = c.Time.UTC()
		ends = append(ends, c)
	}
	return ends, r.Err()
}

// rangeEventsQuery selects, in no order, the events after after and before
// end, up to and including last when bounded; all read columns when
// withBatch, else the stream's.
func rangeEventsQuery(db string, t tenant.ID, end time.Time, after, last Cursor, bounded, withBatch bool) (string, []param) {
	sql := "SELECT " + eventSelect(withBatch) + " FROM " + db + ".events" + rangeBounds
	params := rangeParams(t, end, after)
	if bounded {
		sql += " AND time <= fromUnixTimestamp64Micro({last_t:Int64}, 'UTC')" +
			" AND (time, id) <= (fromUnixTimestamp64Micro({last_t:Int64}, 'UTC'), {last_id:UInt64})"
		params = append(params, param{"last_t", strconv.FormatInt(last.Time.UnixMicro(), 10)},
			param{"last_id", strconv.FormatUint(last.ID, 10)})
	}
	return sql, params
}

// DayCount is one UTC day's totals.
type DayCount struct {
	Day time.Time
	// Rows is the number of stored events; Events adds up their counts
	// (summarised events stand for several detections).
	Rows   uint64
	Events uint64
}

// CountRows returns the number of tenant t's stored events with times in
// [from, to): the cheapest fingerprint of a closed range (rows are only
// ever added to it, by late batches, or dropped, by retention). It reads
// the time column alone: a third of what a count with a sum costs.
func (s *Store) CountRows(ctx context.Context, t tenant.ID, from, to time.Time) (uint64, error) {
	if err := checkTenant(t); err != nil {
		return 0, err
	}
	sql := "SELECT count() FROM " + s.db + ".events WHERE tenant = {tenant:String}" +
		" AND time >= fromUnixTimestamp64Micro({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Micro({to:Int64}, 'UTC')"
	r, err := s.be.query(ctx, sql, []param{strParam("tenant", string(t)),
		{"from", strconv.FormatInt(from.UnixMicro(), 10)}, {"to", strconv.FormatInt(to.UnixMicro(), 10)}})
	if err != nil {
		return 0, fmt.Errorf("store: cannot count events of tenant %s: %w", t, err)
	}
	defer r.Close()
	var n uint64
	if r.Next() {
		if err := r.Scan(&n); err != nil {
			return 0, fmt.Errorf("store: cannot count events of tenant %s: %w", t, err)
		}
	}
	if err := r.Err(); err != nil {
		return 0, fmt.Errorf("store: cannot count events of tenant %s: %w", t, err)
	}
	return n, nil
}

// CountsPerDay returns tenant t's totals per UTC day for days in
// [from, to), oldest first; days without events are left out.
func (s *Store) CountsPerDay(ctx context.Context, t tenant.ID, from, to time.Time) ([]DayCount, error) {
	return s.CountsPerLocalDay(ctx, t, from.UTC().Truncate(24*time.Hour), to, time.UTC)
}

// CountsPerLocalDay returns tenant t's totals per calendar day of loc for
// events in [from, to), oldest first; days without events are left out.
// Each Day is that date's midnight in loc. loc must be a named IANA zone
// (the engine groups by its own copy of the zone database).
func (s *Store) CountsPerLocalDay(ctx context.Context, t tenant.ID, from, to time.Time, loc *time.Location) ([]DayCount, error) {
	if err := checkTenant(t); err != nil {
		return nil, err
	}
	if loc == nil || loc.String() == "Local" || loc.String() == "" {
		return nil, fmt.Errorf("%w: counts need a named time zone", ErrInvalid)
	}
	sql := "SELECT tenant, toDate(time, {tz:String}) AS day, count() AS rows, sum(count) AS events FROM " + s.db + ".events" +
		" WHERE tenant = {tenant:String} AND time >= fromUnixTimestamp64Micro({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Micro({to:Int64}, 'UTC')" +
		" GROUP BY tenant, day ORDER BY day"
	params := []param{strParam("tenant", string(t)), strParam("tz", loc.String()),
		{"from", strconv.FormatInt(from.UnixMicro(), 10)},
		{"to", strconv.FormatInt(to.UnixMicro(), 10)}}
	r, err := s.be.query(ctx, sql, params)
	if err != nil {
		return nil, fmt.Errorf("store: cannot count events of tenant %s: %w", t, err)
	}
	defer r.Close()
	var out []DayCount
	for r.Next() {
		var ts string
		var d DayCount
		if err := r.Scan(&ts, &d.Day, &d.Rows, &d.Events); err != nil {
			return nil, fmt.Errorf("store: cannot count events of tenant %s: %w", t, err)
		}
		if ts != string(t) {
			return nil, fmt.Errorf("BUG: store: count of tenant %s in a read for %s", ts, t)
		}
		d.Day = time.Date(d.Day.Year(), d.Day.Month(), d.Day.Day(), 0, 0, 0, 0, loc)
		out = append(out, d)
	}
	return out, r.Err()
}
