package ratelimit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// redisURL is the Redis the tests share: TEAPOT_REDIS_URL, or the
// machine's on 127.0.0.1:6379. Without one the tests skip, unless
// TEAPOT_REQUIRE_REDIS=1 (as in CI) makes that a failure.
func redisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TEAPOT_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	r, err := NewRedis(u, "test:", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Ping(context.Background()); err != nil {
		if os.Getenv("TEAPOT_REQUIRE_REDIS") == "1" {
			t.Fatalf("Redis at %s: %v (TEAPOT_REQUIRE_REDIS=1)", u, err)
		}
		t.Skipf("no Redis at %s (%v); set TEAPOT_REDIS_URL", u, err)
	}
	return u
}

// instances are n clients of one Redis, as n teapots would be, under a
// prefix of their own so that tests share nothing.
func instances(t *testing.T, n int, log *slog.Logger) []*Redis {
	t.Helper()
	u := redisURL(t)
	var b [6]byte
	rand.Read(b[:])
	prefix := "test:" + hex.EncodeToString(b[:]) + ":"
	var out []*Redis
	for range n {
		r, err := NewRedis(u, prefix, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		out = append(out, r)
	}
	return out
}

// TestRedisBucketShared: two instances spend one budget. A burst of 10
// at a rate too slow to refill during the test allows 10 in all, however
// the requests are spread, and the refusal says when a token is back.
func TestRedisBucketShared(t *testing.T) {
	t.Parallel()
	rs := instances(t, 2, slog.New(slog.DiscardHandler))
	var buckets []Bucket
	for _, r := range rs {
		buckets = append(buckets, r.Bucket("status", 0.1, 10, New(0.1, 10, 100, nil)))
	}
	allowed := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			ok, _ := buckets[i%2].Allow("192.0.2.1")
			mu.Lock()
			defer mu.Unlock()
			if ok {
				allowed++
			}
		})
	}
	wg.Wait()
	if allowed != 10 {
		t.Errorf("%d of 40 allowed through two instances, want the burst: 10", allowed)
	}
	ok, wait := buckets[0].Allow("192.0.2.1")
	if ok || wait < 9*time.Second || wait > 10*time.Second {
		t.Errorf("after the burst: allowed %v, wait %v; want refused, about 10 s (one token at 0.1/s)", ok, wait)
	}
	if ok, _ := buckets[1].Allow("192.0.2.2"); !ok {
		t.Error("another client was refused: keys share no budget")
	}
	for _, r := range rs {
		if r.Degraded() || r.Failures() != 0 {
			t.Errorf("Redis failed %d times during the test", r.Failures())
		}
	}
}

// TestRedisBucketRefills: the budget comes back at the rate, on Redis's
// clock.
func TestRedisBucketRefills(t *testing.T) {
	t.Parallel()
	r := instances(t, 1, slog.New(slog.DiscardHandler))[0]
	b := r.Bucket("refill", 20, 1, New(20, 1, 100, nil)) // a token every 50 ms
	if ok, _ := b.Allow("k"); !ok {
		t.Fatal("first request refused")
	}
	if ok, wait := b.Allow("k"); ok || wait <= 0 || wait > 50*time.Millisecond {
		t.Fatalf("second at once: allowed %v, wait %v; want refused within 50 ms", ok, wait)
	}
	time.Sleep(120 * time.Millisecond)
	if ok, _ := b.Allow("k"); !ok {
		t.Error("refused after two intervals: the bucket did not refill")
	}
}

// TestRedisSlotsShared: the total and per-key caps hold across instances;
// a released slot is free again; a holder that never releases loses its
// slot when the lease ends.
func TestRedisSlotsShared(t *testing.T) {
	t.Parallel()
	rs := instances(t, 2, slog.New(slog.DiscardHandler))
	a := rs[0].Slots("delay", 3, 2, time.Second, NewSlots(3, 2))
	b := rs[1].Slots("delay", 3, 2, time.Second, NewSlots(3, 2))
	r1, full := a.Acquire("x")
	r2, _ := b.Acquire("x")
	if r1 == nil || r2 == nil || full != NotFull {
		t.Fatal("the first two slots of x were refused")
	}
	if rel, full := a.Acquire("x"); rel != nil || full != KeyFull {
		t.Errorf("third slot of x on the other instance: %v; want KeyFull", full)
	}
	r3, _ := a.Acquire("y")
	if r3 == nil {
		t.Fatal("y's first slot refused")
	}
	if rel, full := b.Acquire("z"); rel != nil || full != TotalFull {
		t.Errorf("a fourth slot in all: %v; want TotalFull", full)
	}
	r1()
	r1() // twice is once
	if rel, _ := b.Acquire("z"); rel == nil {
		t.Error("a released slot was not free again")
	}
	// r2 and r3 are never released: their leases end after a second.
	time.Sleep(1100 * time.Millisecond)
	for _, k := range []string{"x", "y"} {
		if rel, full := a.Acquire(k); rel == nil {
			t.Errorf("after the leases ended, %s: %v", k, full)
		}
	}
}

// TestRedisDown: with Redis unreachable, limits hold per instance (the
// memory fallback), /readyz can tell (Degraded), and the warning is
// logged once, not once per request.
func TestRedisDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	var logs bytes.Buffer
	var mu sync.Mutex
	r, err := NewRedis("redis://"+addr, "test:", slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b := r.Bucket("status", 0.1, 3, New(0.1, 3, 100, nil))
	allowed := 0
	start := time.Now()
	for range 10 {
		if ok, _ := b.Allow("k"); ok {
			allowed++
		}
	}
	if allowed != 3 {
		t.Errorf("%d allowed with Redis down; want the burst of this instance: 3", allowed)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("10 requests took %v with Redis down: the fallback should answer at once", el)
	}
	s := r.Slots("delay", 1, 1, time.Minute, NewSlots(1, 1))
	rel, _ := s.Acquire("k")
	if rel == nil {
		t.Fatal("slot refused with Redis down")
	}
	if again, full := s.Acquire("k"); again != nil || full != KeyFull {
		t.Errorf("second slot with Redis down: %v; want the fallback's KeyFull", full)
	}
	rel()
	if !r.Degraded() {
		t.Error("not Degraded with Redis down")
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "redis unreachable"); n != 1 {
		t.Errorf("%d warnings logged, want 1:\n%s", n, logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestMemSlots(t *testing.T) {
	t.Parallel()
	s := NewSlots(2, 1)
	r1, _ := s.Acquire("a")
	if rel, full := s.Acquire("a"); rel != nil || full != KeyFull {
		t.Errorf("a's second: %v, want KeyFull", full)
	}
	r2, _ := s.Acquire("b")
	if rel, full := s.Acquire("c"); rel != nil || full != TotalFull {
		t.Errorf("third in all: %v, want TotalFull", full)
	}
	r1()
	r1()
	r2()
	if s.Held() != 0 {
		t.Errorf("%d held after every release", s.Held())
	}
	if rel, _ := NewSlots(0, 0).Acquire("x"); rel == nil {
		t.Error("no caps refused a slot")
	}
}

// TestNoRedis: without Redis, a shared bucket or slots are the local ones
// themselves.
func TestNoRedis(t *testing.T) {
	t.Parallel()
	var r *Redis
	local := New(1, 1, 10, time.Now)
	if b := r.Bucket("x", 1, 1, local); b != Bucket(local) {
		t.Errorf("a nil Redis's Bucket is %T, not the local limiter", b)
	}
	slots := NewSlots(1, 1)
	if s := r.Slots("x", 1, 1, time.Second, slots); s != Slots(slots) {
		t.Errorf("a nil Redis's Slots are %T, not the local ones", s)
	}
}
