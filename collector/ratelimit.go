package collector

import (
	"sync"
	"time"
)

// bucket is a token bucket that may go into debt: a request is admitted
// while the bucket is not empty and takes what it needs, so a batch larger
// than the burst still passes when the sensor has been quiet, and the
// sensor then waits until the debt is paid.
type bucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func newBucket(rate, burst float64, now time.Time) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *bucket) refill(now time.Time) {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(b.burst, b.tokens+dt*b.rate)
		b.last = now
	}
}

// take admits n if the bucket is not empty.
func (b *bucket) take(n float64, now time.Time) bool {
	b.refill(now)
	if b.tokens <= 0 {
		return false
	}
	b.tokens -= n
	return true
}

// wait is how long until the bucket admits again.
func (b *bucket) wait() time.Duration {
	if b.tokens > 0 {
		return 0
	}
	return time.Duration((-b.tokens + 1) / b.rate * float64(time.Second))
}

// rateLimiter keeps one event bucket per sensor.
type rateLimiter struct {
	rate, burst float64
	now         func() time.Time
	mu          sync.Mutex
	buckets     map[sensorKey]*bucket
}

type sensorKey struct{ tenant, sensor string }

func newRateLimiter(rate, burst float64, now func() time.Time) *rateLimiter {
	return &rateLimiter{rate: rate, burst: burst, now: now, buckets: map[sensorKey]*bucket{}}
}

// allow admits n events of sensor k, or says how long to wait.
func (r *rateLimiter) allow(k sensorKey, n int) (bool, time.Duration) {
	if r.rate <= 0 {
		return true, 0
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.buckets[k]
	if b == nil {
		if len(r.buckets) >= maxCachedCreds {
			clear(r.buckets)
		}
		b = newBucket(r.rate, r.burst, now)
		r.buckets[k] = b
	}
	if b.take(float64(n), now) {
		return true, 0
	}
	return false, b.wait()
}
