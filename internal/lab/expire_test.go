package lab

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/web"
)

// TestExpire: a sandbox unused for longer than the TTL is removed with its
// articles by the lab's sweep; one in use is kept.
func TestExpire(t *testing.T) {
	var mu sync.Mutex
	now := time.Now() // the store stamps creations with the real clock
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	l := New(Options{Store: openSQLite(t), TTL: time.Hour, Now: clock})
	mux := web.NewMux()
	l.Register(mux)
	ts := httptest.NewServer(mux.Finish())
	defer ts.Close()

	idle, busy := newClient(t, ts.URL), newClient(t, ts.URL)
	idleLoc := idle.create("idle", "Idle", "")
	busyLoc := busy.create("busy", "Busy", "")
	advance(50 * time.Minute)
	expect(t, "busy sandbox read", busy.do("GET", busyLoc, ""), 200, "") // touches it
	advance(20 * time.Minute)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Expire(ctx, 5*time.Millisecond); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	// Asking the store, not the API: a request would use the sandbox.
	for {
		list, err := l.opts.Store.List(ctx, idle.sandbox)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the idle sandbox was not removed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	expect(t, "busy sandbox after the sweep", busy.do("GET", busyLoc, ""), 200, "")
	expect(t, "idle sandbox after the sweep", idle.do("GET", idleLoc, ""), 404, "/404")
}

// TestExpireLittleUsed: with a TTL of a day, a sandbox used only on its
// first visit, and one whose articles are all deleted, are removed after
// an hour unused; one used since is kept.
func TestExpireLittleUsed(t *testing.T) {
	var mu sync.Mutex
	now := time.Now() // the store stamps creations with the real clock
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	st := openSQLite(t)
	l := New(Options{Store: st, TTL: 24 * time.Hour, Now: clock})
	mux := web.NewMux()
	l.Register(mux)
	ts := httptest.NewServer(mux.Finish())
	defer ts.Close()

	once, busy, emptied := newClient(t, ts.URL), newClient(t, ts.URL), newClient(t, ts.URL)
	once.create("once", "Once", "")
	busyLoc := busy.create("busy", "Busy", "")
	gone := emptied.create("gone", "Gone", "")
	advance(5 * time.Minute)
	expect(t, "a later visit", busy.do("GET", busyLoc, ""), 200, "")
	expect(t, "deleting the last article", emptied.do("DELETE", gone, "", "If-Match", `"v1"`), 204, "")
	advance(61 * time.Minute)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Expire(ctx, 5*time.Millisecond); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		u, err := st.Usage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u.Sandboxes == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sandboxes after the sweep, want 1 (busy)", u.Sandboxes)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	expect(t, "the busy sandbox after the sweep", busy.do("GET", busyLoc, ""), 200, "")
	if list := once.do("GET", "/lab/articles", "").json(t)["articles"].([]any); len(list) != 0 {
		t.Errorf("the sandbox used once still holds %v", list)
	}
}
