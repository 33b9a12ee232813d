package api

import (
	"sync"
	"time"
)

// lockout counts failed logins per user name and per client address and
// refuses attempts once either has too many failures in the window. It is
// per process: behind a load balancer each collector counts on its own,
// which bounds an attacker to N× the limit with N replicas.
type lockout struct {
	userMax, addrMax int
	window, duration time.Duration
	now              func() time.Time

	mu    sync.Mutex
	users map[string]*failures
	addrs map[string]*failures
}

type failures struct {
	times       []time.Time
	lockedUntil time.Time
}

// maxTracked bounds the maps; when full, expired entries are swept.
const maxTracked = 100_000

func newLockout(cfg Config, now func() time.Time) *lockout {
	return &lockout{userMax: cfg.LockoutUserFailures, addrMax: cfg.LockoutAddrFailures,
		window: cfg.LockoutWindow, duration: cfg.LockoutDuration, now: now,
		users: map[string]*failures{}, addrs: map[string]*failures{}}
}

// locked returns how long user or addr stays locked (0: not locked).
func (l *lockout) locked(user, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
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
	cut := 0
	for cut < len(f.times) && now.Sub(f.times[cut]) >= l.window {
		cut++
	}
	f.times = append(f.times[cut:], now)
	if len(f.times) >= limit {
		f.lockedUntil = now.Add(l.duration)
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
