package lab

import (
	"slices"
	"sync"
	"time"
)

// limiter is a token bucket per client key: each client may make burst new
// sandboxes at once, and one more every per. One lock is enough: it is
// taken only when a request would make a sandbox.
type limiter struct {
	burst float64
	per   time.Duration // to earn one token

	mu      sync.Mutex
	buckets map[string]bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the clients remembered. Past it, the buckets that have
// filled up again go first (a full one is the same as none), then the
// oldest half: a client who is forgotten starts with a full bucket, which
// the lab's limits on sandboxes and bytes still bound.
const maxBuckets = 100_000

// newLimiter allows n new sandboxes an hour from a client, all at once if
// it likes.
func newLimiter(n int) *limiter {
	return &limiter{burst: float64(n), per: time.Hour / time.Duration(n), buckets: map[string]bucket{}}
}

// allow takes a token for key at now; without one, it says how long until
// there is one.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = bucket{tokens: l.burst, last: now}
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.per))
	b.last = now
	if b.tokens < 1 {
		l.buckets[key] = b
		return false, time.Duration((1 - b.tokens) * float64(l.per))
	}
	b.tokens--
	l.buckets[key] = b
	return true, 0
}

func (l *limiter) prune(now time.Time) {
	full := time.Duration(l.burst * float64(l.per))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	oldest := make([]time.Time, 0, len(l.buckets))
	for _, b := range l.buckets {
		oldest = append(oldest, b.last)
	}
	if len(oldest) < maxBuckets/2 {
		return
	}
	slices.SortFunc(oldest, time.Time.Compare)
	cut := oldest[len(oldest)-maxBuckets/2]
	for k, b := range l.buckets {
		if b.last.Before(cut) {
			delete(l.buckets, k)
		}
	}
}
