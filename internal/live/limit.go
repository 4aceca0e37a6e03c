package live

import (
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"
)

// limiter is a token bucket per client address: rate tokens a second, at
// most burst saved up. Buckets are kept in shards to spread the locking,
// and idle ones are dropped so that memory stays bounded.
type limiter struct {
	rate   float64
	burst  float64
	now    func() time.Time
	seed   maphash.Seed
	shards [32]shard
}

type shard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds one shard; past it, the oldest idle buckets go first.
const maxBuckets = 4096

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	l := &limiter{rate: rate, burst: float64(burst), now: now, seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].buckets = map[string]*bucket{}
	}
	return l
}

// allow takes a token for key; when there is none it says how long until
// there will be.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	s := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
	now := l.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	if b == nil {
		if len(s.buckets) >= maxBuckets {
			s.prune(now, l.burst/l.rate)
		}
		b = &bucket{tokens: l.burst, last: now}
		s.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// prune drops the buckets that have been idle long enough to be full
// again (dropping them changes nothing); if that leaves more than half,
// it drops the least recently used until half are left. A dropped bucket
// comes back full, so the clients who lose theirs are the ones seen
// longest ago, never one that is sending now. It runs once per
// maxBuckets/2 new clients of a shard, so its sort is cheap.
func (s *shard) prune(now time.Time, refill float64) {
	for k, b := range s.buckets {
		if now.Sub(b.last).Seconds() >= refill {
			delete(s.buckets, k)
		}
	}
	if len(s.buckets) < maxBuckets/2 {
		return
	}
	type used struct {
		key  string
		last time.Time
	}
	all := make([]used, 0, len(s.buckets))
	for k, b := range s.buckets {
		all = append(all, used{k, b.last})
	}
	slices.SortFunc(all, func(a, b used) int { return a.last.Compare(b.last) })
	for _, u := range all[:len(all)-maxBuckets/2+1] {
		delete(s.buckets, u.key)
	}
}

// slots caps requests waiting out a delay: in all and per client address.
type slots struct {
	mu     sync.Mutex
	total  int
	max    int
	perKey map[string]int
	maxKey int
}

func newSlots(max, perKey int) *slots {
	return &slots{max: max, maxKey: perKey, perKey: map[string]int{}}
}

// acquire takes a slot for key, or reports which cap is full.
func (s *slots) acquire(key string) (ok bool, perKeyFull bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perKey[key] >= s.maxKey {
		return false, true
	}
	if s.total >= s.max {
		return false, false
	}
	s.total++
	s.perKey[key]++
	return true, false
}

func (s *slots) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total--
	if s.perKey[key]--; s.perKey[key] <= 0 {
		delete(s.perKey, key)
	}
}
