package api

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/spoorsec/spoor/store"
)

// lockout counts failed logins per user name and per client address and
// refuses attempts once either has too many failures in the window. Each
// process counts what it sees, and, with a login log (the audit log every
// replica writes to), what all replicas have seen: behind a load balancer
// the limits hold for the service, not per replica.
type lockout struct {
	userMax, addrMax int
	window, duration time.Duration
	now              func() time.Time
	shared           loginLog
	log              *slog.Logger

	mu    sync.Mutex
	users map[string]*failures
	addrs map[string]*failures
}

// loginLog is the record of every replica's logins.
type loginLog interface {
	LoginRecords(ctx context.Context, user, addr string, since time.Time) ([]store.LoginRecord, error)
}

type failures struct {
	times       []time.Time
	lockedUntil time.Time
}

// maxTracked bounds the maps; when full, expired entries are swept.
const maxTracked = 100_000

func newLockout(cfg Config, now func() time.Time, shared loginLog, log *slog.Logger) *lockout {
	return &lockout{userMax: cfg.LockoutUserFailures, addrMax: cfg.LockoutAddrFailures,
		window: cfg.LockoutWindow, duration: cfg.LockoutDuration, now: now, shared: shared, log: log,
		users: map[string]*failures{}, addrs: map[string]*failures{}}
}

// locked returns how long user or addr stays locked (0: not locked). When
// the login log cannot be read, the process's own counts decide.
func (l *lockout) locked(ctx context.Context, user, addr string) time.Duration {
	now := l.now()
	wait := l.lockedHere(user, addr, now)
	if wait > 0 || l.shared == nil {
		return wait
	}
	recs, err := l.shared.LoginRecords(ctx, user, addr, now.Add(-l.window-l.duration))
	if err != nil {
		if ctx.Err() == nil { // not just a client that left
			l.log.Error("cannot read the login log; lockout counts this process's failures only", "err", err)
		}
		return 0
	}
	var byUser, byAddr failures
	for _, r := range recs {
		switch {
		case r.Failed:
			if r.User {
				l.step(&byUser, r.Time, l.userMax)
			}
			if r.Addr {
				l.step(&byAddr, r.Time, l.addrMax)
			}
		case r.User:
			byUser.times = byUser.times[:0] // as succeed does
		}
	}
	for _, until := range []time.Time{byUser.lockedUntil, byAddr.lockedUntil} {
		if now.Before(until) {
			wait = max(wait, until.Sub(now))
		}
	}
	return wait
}

func (l *lockout) lockedHere(user, addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, f := range []*failures{l.users[user], l.addrs[addr]} {
		if f != nil && now.Before(f.lockedUntil) {
			wait = max(wait, f.lockedUntil.Sub(now))
		}
	}
	return wait
}

// fail records a failed attempt.
func (l *lockout) fail(user, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.users)+len(l.addrs) > maxTracked {
		l.sweep(now)
	}
	l.record(l.users, user, l.userMax, now)
	l.record(l.addrs, addr, l.addrMax, now)
}

// succeed clears the user's failures (not the address's: one good
// password must not reset a spray from that address).
func (l *lockout) succeed(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.users, user)
}

func (l *lockout) record(m map[string]*failures, key string, limit int, now time.Time) {
	f := m[key]
	if f == nil {
		f = &failures{}
		m[key] = f
	}
	l.step(f, now, limit)
}

// step counts a failure at t: the limit-th within the window locks until
// duration after it and starts the count again.
func (l *lockout) step(f *failures, t time.Time, limit int) {
	cut := 0
	for cut < len(f.times) && t.Sub(f.times[cut]) >= l.window {
		cut++
	}
	f.times = append(f.times[cut:], t)
	if len(f.times) >= limit {
		f.lockedUntil = t.Add(l.duration)
		f.times = f.times[:0]
	}
}

func (l *lockout) sweep(now time.Time) {
	for _, m := range []map[string]*failures{l.users, l.addrs} {
		for k, f := range m {
			if now.After(f.lockedUntil) && (len(f.times) == 0 || now.Sub(f.times[len(f.times)-1]) >= l.window) {
				delete(m, k)
			}
		}
	}
}
