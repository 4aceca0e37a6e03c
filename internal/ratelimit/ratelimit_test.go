package ratelimit

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestAllow trips the limit and lets the clock refill it.
func TestAllow(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(1, 3, 100, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	if ok, wait := l.Allow("a"); ok || wait != time.Second {
		t.Fatalf("over the burst: %v, wait %v; want refused, 1s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Errorf("another key was refused: keys share no budget")
	}
	mu.Lock()
	now = now.Add(1100 * time.Millisecond)
	mu.Unlock()
	if ok, _ := l.Allow("a"); !ok {
		t.Errorf("after a second: refused, want a token back")
	}
	if ok, _ := New(0, 1, 100, nil).Allow("a"); !ok {
		t.Errorf("rate 0 refused; it lets everything through")
	}
}

func TestMemoryBounded(t *testing.T) {
	t.Parallel()
	const maxKeys = 32 * 4096
	l := New(1, 1, maxKeys, time.Now)
	for i := 0; i < 200000; i++ {
		l.Allow(strconv.Itoa(i))
	}
	total := 0
	for i := range l.shards {
		total += len(l.shards[i].buckets)
	}
	if total > maxKeys {
		t.Errorf("%d buckets kept, want at most %d", total, maxKeys)
	}
}

// TestPruneLeastRecentlyUsed fills a shard with clients seen one after
// another, none idle long enough to be full: pruning keeps the most
// recent half, so a client sending now keeps its (empty) bucket.
func TestPruneLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	const limit = 4096
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &shard{buckets: map[string]*bucket{}}
	for i := range limit {
		s.buckets[strconv.Itoa(i)] = &bucket{last: start.Add(time.Duration(i) * time.Millisecond)}
	}
	s.prune(start.Add(limit*time.Millisecond), 3600, limit)
	if len(s.buckets) >= limit/2 {
		t.Fatalf("%d buckets left, want fewer than %d", len(s.buckets), limit/2)
	}
	for i := range limit {
		_, kept := s.buckets[strconv.Itoa(i)]
		if recent := i > limit/2; kept != recent {
			t.Fatalf("bucket %d of %d (recent: %v) kept: %v; want only the most recently used kept", i, limit, recent, kept)
		}
	}
}
