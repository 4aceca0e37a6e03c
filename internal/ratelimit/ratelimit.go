// Package ratelimit holds teapot's per-client budgets, keyed by a client's
// address or IPv6 prefix: token buckets (Bucket: rate tokens a second, at
// most burst saved up) for /status requests, new lab sandboxes and reverse
// DNS lookups, and slots (Slots: so many held at once, in all and per key)
// for delayed /status requests and URL checks.
//
// Each kind lives in this process's memory (Limiter, MemSlots) or, with
// Redis (NewRedis), is shared by every instance that uses the same Redis;
// when Redis cannot be reached, the shared ones fall back to memory. It
// imports nothing of teapot.
package ratelimit

import (
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"
)

// shards spread the locking over keys.
const shards = 32

// Bucket gives each key a budget of requests: Allow spends a token, or
// says how long until one is back.
type Bucket interface {
	Allow(key string) (ok bool, wait time.Duration)
}

// Limiter is a token bucket per key, in memory. Buckets are kept in shards
// to spread the locking, and memory is bounded: past the keys a limiter
// may remember, the least recently used go first, and a forgotten key
// starts full again.
type Limiter struct {
	rate     float64 // tokens a second; 0 or less lets everything through
	burst    float64
	perShard int // keys one shard remembers
	now      func() time.Time
	seed     maphash.Seed
	shards   [shards]shard
}

type shard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New makes a limiter of rate tokens a second with bursts of burst,
// remembering at most about maxKeys keys, on the clock now (time.Now
// when nil).
func New(rate float64, burst, maxKeys int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	l := &Limiter{rate: rate, burst: float64(burst), perShard: max(2, maxKeys/shards), now: now, seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].buckets = map[string]*bucket{}
	}
	return l
}

// Allow takes a token for key; when there is none it says how long until
// there will be.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	s := &l.shards[maphash.String(l.seed, key)%shards]
	now := l.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	if b == nil {
		if len(s.buckets) >= l.perShard {
			s.prune(now, l.burst/l.rate, l.perShard)
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

// prune drops the buckets that have been idle long enough (refill
// seconds) to be full again (dropping them changes nothing); if that
// leaves more than half of limit, it drops the least recently used until
// half are left. A dropped bucket comes back full, so the clients who
// lose theirs are the ones seen longest ago, never one that is sending
// now. It runs once per limit/2 new keys of a shard, so its sort is
// cheap.
func (s *shard) prune(now time.Time, refill float64, limit int) {
	for k, b := range s.buckets {
		if now.Sub(b.last).Seconds() >= refill {
			delete(s.buckets, k)
		}
	}
	if len(s.buckets) < limit/2 {
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
	for _, u := range all[:len(all)-limit/2+1] {
		delete(s.buckets, u.key)
	}
}
