package store

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// ColumnStream reads a range of a tenant's events page after page, in
// (time, ID) order, as EventColumns: the day stream's read. Three stages
// run at once: the engine runs a page's statement while the page before
// is decoded and the one before that is with the caller.
type ColumnStream struct {
	pages chan columnPage
	// delivered closes when the first page is with the caller: only then
	// does the second page's statement start, so that it does not slow
	// down the first (the stream's first bytes).
	delivered chan struct{}
	free      chan *EventColumns
	cancel    context.CancelFunc
}

type columnPage struct {
	cols *EventColumns
	err  error
}

// planPages bounds how many pages one planning statement plans: the
// engine sorts their (time, id), 32 MB for 20 pages of 100,000 events.
const planPages = 20

// window is one page's statement, started.
type window struct {
	read  pendingRead
	after Cursor
	last  Cursor // the page's last (time, ID), when full
	full  bool
	err   error
}

// StreamEventColumns starts reading tenant t's events with times in
// [from, to) after cursor after: a first page of about first events, then
// pages of about limit (a page holds every event up to the limit-th event's
// (time, ID) when it was planned, so events written meanwhile into the
// range make it larger rather than being skipped). Close the stream when
// done with it.
func (s *Store) StreamEventColumns(ctx context.Context, t tenant.ID, from, to time.Time, after Cursor, first, limit int) (*ColumnStream, error) {
	if err := checkTenant(t); err != nil {
		return nil, err
	}
	for _, n := range []int{first, limit} {
		if n <= 0 || n > MaxPageSize {
			return nil, fmt.Errorf("%w: page size %d (1..%d)", ErrInvalid, n, MaxPageSize)
		}
	}
	after = startAfter(after, from)
	ctx, cancel := context.WithCancel(ctx)
	cs := &ColumnStream{pages: make(chan columnPage), delivered: make(chan struct{}), free: make(chan *EventColumns, 3), cancel: cancel}
	windows := make(chan window, 1)
	go s.planWindows(ctx, t, to, after, first, limit, windows, cs.delivered)
	go cs.decode(ctx, t, windows)
	return cs, nil
}

// planWindows finds each page's end and starts its statement: the first
// page's end alone (for the stream's first bytes), then, once it is
// delivered, the ends of the next planPages pages in one statement, and so
// on.
func (s *Store) planWindows(ctx context.Context, t tenant.ID, to time.Time, after Cursor, first, limit int, out chan<- window, delivered <-chan struct{}) {
	defer close(out)
	var ends []Cursor
	more := true // the range may go on past the last planned end
	for i := 0; ; i++ {
		w := window{after: after}
		if i == 0 {
			w.last, w.full, w.err = s.pageEnd(ctx, t, to, after, first)
		} else {
			if i == 1 {
				select {
				case <-delivered:
				case <-ctx.Done():
					return
				}
			}
			if len(ends) == 0 && more {
				ends, w.err = s.pageEnds(ctx, t, to, after, limit, planPages)
				more = len(ends) == planPages
			}
			if len(ends) > 0 {
				w.last, w.full, ends = ends[0], true, ends[1:]
			}
		}
		if w.err == nil {
			sql, params := rangeEventsQuery(s.db, t, to, after, w.last, w.full, false)
			w.read, w.err = s.be.startRead(ctx, sql, params)
		}
		if w.err != nil {
			w.err = fmt.Errorf("store: cannot read events of tenant %s: %w", t, w.err)
		}
		select {
		case out <- w:
		case <-ctx.Done():
			if w.read != nil {
				w.read.close()
			}
			return
		}
		if w.err != nil || !w.full {
			return
		}
		after = w.last
	}
}

// decode turns the started statements into pages.
func (cs *ColumnStream) decode(ctx context.Context, t tenant.ID, windows <-chan window) {
	defer close(cs.pages)
	// However decoding ends, planning stops and every started statement
	// is released.
	defer func() {
		cs.cancel()
		for w := range windows {
			if w.read != nil {
				w.read.close()
			}
		}
	}()
	dec := getEventDecoder(t, false)
	defer putEventDecoder(dec)
	for i := 0; ; i++ {
		w, ok := <-windows
		if !ok {
			return
		}
		p := columnPage{err: w.err}
		if p.err == nil {
			select {
			case p.cols = <-cs.free:
			default:
				p.cols = new(EventColumns)
			}
			if err := readPage(w.read, dec, p.cols); err != nil {
				p.cols, p.err = nil, fmt.Errorf("store: cannot read events of tenant %s: %w", t, err)
			}
		}
		if p.err == nil {
			c := p.cols
			c.Next, c.Done = w.after, !w.full
			if w.full {
				c.Next = w.last
			} else if n := c.Len(); n > 0 {
				c.Next = Cursor{Time: time.UnixMicro(c.Time[n-1]).UTC(), ID: c.ID[n-1]}
			}
		}
		select {
		case cs.pages <- p:
		case <-ctx.Done():
			return
		}
		if i == 0 {
			close(cs.delivered)
		}
		if p.err != nil {
			return
		}
	}
}

// Next returns the next page; io.EOF after the page marked Done.
func (cs *ColumnStream) Next() (*EventColumns, error) {
	p, ok := <-cs.pages
	if !ok {
		return nil, io.EOF
	}
	return p.cols, p.err
}

// Release hands a page returned by Next back for reuse; the caller must
// not touch it afterwards.
func (cs *ColumnStream) Release(c *EventColumns) {
	select {
	case cs.free <- c:
	default:
	}
}

// Close stops the stream and releases what it holds.
func (cs *ColumnStream) Close() {
	cs.cancel()
	for range cs.pages {
	}
}
