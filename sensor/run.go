package sensor

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"sync"
	"time"

	"github.com/spoorsec/spoor/sensor/capture"
	"github.com/spoorsec/spoor/sensor/decode"
)

// Clock is told the packet time as it advances, so that held and
// windowed state (throttle summaries, condensed events) is flushed even when
// no new event arrives. The throttle stage implements it.
type Clock interface {
	Advance(now time.Time) error
}

// Read processes every packet of src with n workers and returns at the end
// of the input (io.EOF) or when ctx is done. With one worker packets are
// processed on the calling goroutine; with more, packets are copied into
// batches and spread by a symmetric hash of their addresses, so both
// directions of a flow meet in one worker.
func (e *Engine) Read(ctx context.Context, src capture.Source, n int, clock Clock) error {
	if n <= 1 {
		return e.readInline(ctx, src, clock)
	}
	return e.readParallel(ctx, src, n, clock)
}

func (e *Engine) readInline(ctx context.Context, src capture.Source, clock Clock) error {
	w := e.NewWorker()
	var p capture.Packet
	var tick tick
	for i := 0; ; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := src.Next(&p); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if errors.Is(err, capture.ErrTimeout) {
				// An idle link: check for shutdown now, not 1024 timeouts later.
				if ctx.Err() != nil {
					return ctx.Err()
				}
				tick.advance(clock, time.Now())
				continue
			}
			return err
		}
		w.Process(p.Link, p.Data, p.Time)
		tick.advance(clock, p.Time)
	}
}

// tick calls the clock once per second of packet time.
type tick struct{ last int64 }

func (t *tick) advance(c Clock, now time.Time) {
	if c == nil || now.Unix() == t.last {
		return
	}
	t.last = now.Unix()
	c.Advance(now)
}

const batchPackets = 256

type batch struct {
	buf   []byte
	ends  []int
	times []time.Time
	links []decode.LinkType
}

func (b *batch) reset() {
	b.buf, b.ends, b.times, b.links = b.buf[:0], b.ends[:0], b.times[:0], b.links[:0]
}

func (e *Engine) readParallel(ctx context.Context, src capture.Source, n int, clock Clock) error {
	free := make(chan *batch, 4*n)
	for i := 0; i < cap(free); i++ {
		free <- &batch{buf: make([]byte, 0, batchPackets*1600)}
	}
	queues := make([]chan *batch, n)
	var wg sync.WaitGroup
	for i := range queues {
		q := make(chan *batch, 2)
		queues[i] = q
		w := e.NewWorker()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range q {
				start := 0
				for j, end := range b.ends {
					w.Process(b.links[j], b.buf[start:end], b.times[j])
					start = end
				}
				b.reset()
				free <- b
			}
		}()
	}
	pending := make([]*batch, n)
	flush := func(i int) {
		if pending[i] != nil && len(pending[i].ends) > 0 {
			queues[i] <- pending[i]
			pending[i] = nil
		}
	}
	defer func() {
		for i := range queues {
			flush(i)
			close(queues[i])
		}
		wg.Wait()
	}()

	seed := maphash.MakeSeed()
	var p capture.Packet
	var hdr decode.Packet
	var tick tick
	for k := 0; ; k++ {
		if k&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := src.Next(&p); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if errors.Is(err, capture.ErrTimeout) {
				if ctx.Err() != nil { // idle link: see readInline
					return ctx.Err()
				}
				for i := range queues {
					flush(i)
				}
				tick.advance(clock, time.Now())
				continue
			}
			return fmt.Errorf("cannot read packets: %w", err)
		}
		i := 0
		if decode.Decode(p.Link, p.Data, &hdr) == nil {
			i = int(flowHash(seed, &hdr) % uint64(n))
		}
		b := pending[i]
		if b == nil {
			b = <-free
			pending[i] = b
		}
		b.buf = append(b.buf, p.Data...)
		b.ends = append(b.ends, len(b.buf))
		b.times = append(b.times, p.Time)
		b.links = append(b.links, p.Link)
		if len(b.ends) == batchPackets {
			flush(i)
		}
		tick.advance(clock, p.Time)
	}
}

// flowHash is symmetric in the two endpoints.
func flowHash(seed maphash.Seed, p *decode.Packet) uint64 {
	a := maphash.Comparable(seed, p.Src)
	b := maphash.Comparable(seed, p.Dst)
	return a ^ b
}
