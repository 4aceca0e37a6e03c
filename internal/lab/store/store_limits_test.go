package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
)

// articles are the limits of most tests: max articles a sandbox, which
// Create may make.
func articles(max int) store.Limits {
	return store.Limits{Articles: max, NewSandbox: true}
}

func mustUsage(t *testing.T, s store.Store) store.Usage {
	t.Helper()
	u, err := s.Usage(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// testNewSandbox: only a Create allowed to make a sandbox makes one;
// reading or touching an unknown sandbox leaves the store as it was.
func testNewSandbox(t *testing.T, s store.Store) {
	ctx := t.Context()
	sb := sandbox(t, "a")
	if list, err := s.List(ctx, sb); err != nil || len(list) != 0 {
		t.Fatalf("List of an unknown sandbox = %v, %v", list, err)
	}
	if _, err := s.Get(ctx, sb, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get in an unknown sandbox: %v, want ErrNotFound", err)
	}
	if err := s.Touch(ctx, sb, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, err := s.Create(ctx, sb, store.Fields{Slug: "s"}, store.Limits{})
	if !errors.Is(err, store.ErrNoSandbox) {
		t.Fatalf("Create in an unknown sandbox without NewSandbox: %v, want ErrNoSandbox", err)
	}
	if u := mustUsage(t, s); u != (store.Usage{}) {
		t.Fatalf("after reads, a touch and a refused Create of an unknown sandbox, Usage = %+v, want none", u)
	}
	mustCreate(t, s, sb, store.Fields{Slug: "s"})
	if _, err := s.Create(ctx, sb, store.Fields{Slug: "t"}, store.Limits{}); err != nil {
		t.Fatalf("Create in a sandbox that exists, without NewSandbox: %v", err)
	}
	if u := mustUsage(t, s); u.Sandboxes != 1 {
		t.Fatalf("Usage = %+v, want 1 sandbox", u)
	}
}

// testSandboxLimit: past Limits.Sandboxes no sandbox is made, but those
// that exist go on.
func testSandboxLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	lim := store.Limits{Sandboxes: 3, NewSandbox: true}
	for i := range 3 {
		if _, err := s.Create(ctx, sandbox(t, fmt.Sprint(i)), store.Fields{Slug: "s"}, lim); err != nil {
			t.Fatalf("sandbox %d of 3: %v", i+1, err)
		}
	}
	if _, err := s.Create(ctx, sandbox(t, "4"), store.Fields{Slug: "s"}, lim); !errors.Is(err, store.ErrTooManySandboxes) {
		t.Fatalf("a fourth sandbox: %v, want ErrTooManySandboxes", err)
	}
	if _, err := s.Create(ctx, sandbox(t, "0"), store.Fields{Slug: "t"}, lim); err != nil {
		t.Fatalf("Create in a sandbox that exists, at the limit: %v", err)
	}
	if u := mustUsage(t, s); u.Sandboxes != 3 {
		t.Fatalf("Usage = %+v, want 3 sandboxes", u)
	}
	if n, err := s.Expire(ctx, time.Now().Add(time.Hour), time.Now().Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("Expire = %d, %v; want 3", n, err)
	}
	if _, err := s.Create(ctx, sandbox(t, "4"), store.Fields{Slug: "s"}, lim); err != nil {
		t.Fatalf("a new sandbox once the others expired: %v", err)
	}
}

// testConcurrentSandboxLimit races Creates that each make a sandbox:
// exactly the limit succeed.
func testConcurrentSandboxLimit(t *testing.T, s store.Store) {
	const max, n = 5, 30
	lim := store.Limits{Sandboxes: max, NewSandbox: true}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Create(t.Context(), sandbox(t, fmt.Sprint(i)), store.Fields{Slug: "s"}, lim)
		})
	}
	wg.Wait()
	made := 0
	for _, err := range errs {
		switch {
		case err == nil:
			made++
		case !errors.Is(err, store.ErrTooManySandboxes):
			t.Errorf("concurrent Create: %v, want nil or ErrTooManySandboxes", err)
		}
	}
	if u := mustUsage(t, s); made != max || u.Sandboxes != max {
		t.Errorf("%d concurrent new sandboxes with a limit of %d: %d made, Usage %+v; want %d", n, max, made, u, max)
	}
}

// testBytesLimit: the stored bytes are counted through every write,
// expiry included, and kept under Limits.Bytes; a change that does not
// grow an article is always allowed.
func testBytesLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	sb := sandbox(t, "a")
	f := func(slug string, body int) store.Fields {
		return store.Fields{Slug: slug, Title: "T", Body: strings.Repeat("é", body/2)}
	}
	const limit = 4000
	lim := store.Limits{Bytes: limit, NewSandbox: true}
	a, err := s.Create(ctx, sb, f("a", 1000), lim)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Create(ctx, sb, f("b", 1000), lim)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Size(f("a", 1000)) + store.Size(f("b", 1000))
	if u := mustUsage(t, s); u.Bytes != want {
		t.Fatalf("Usage = %+v, want %d bytes", u, want)
	}
	if _, err := s.Create(ctx, sb, f("c", 2000), lim); !errors.Is(err, store.ErrStorageFull) {
		t.Fatalf("a Create past the limit: %v, want ErrStorageFull", err)
	}
	if _, err := s.Update(ctx, sb, a.ID, 1, f("a", 3000), limit); !errors.Is(err, store.ErrStorageFull) {
		t.Fatalf("an Update growing past the limit: %v, want ErrStorageFull", err)
	}
	if got := mustGet(t, s, sb, a.ID); got != a {
		t.Fatalf("after the refused Update, Get = %+v, want it unchanged", got)
	}
	// At the limit, a change of the same size or smaller still goes.
	if _, err := s.Update(ctx, sb, a.ID, 1, f("a", 200), limit/10); err != nil {
		t.Fatalf("an Update that shrinks the article, over the limit: %v", err)
	}
	if _, err := s.Update(ctx, sb, b.ID, 1, f("x", 1000), 1); err != nil {
		t.Fatalf("an Update of the same size, over the limit: %v", err)
	}
	want = store.Size(f("a", 200)) + store.Size(f("x", 1000))
	if u := mustUsage(t, s); u.Bytes != want {
		t.Fatalf("after the updates, Usage = %+v, want %d bytes", u, want)
	}
	if err := s.Delete(ctx, sb, b.ID, 2); err != nil {
		t.Fatal(err)
	}
	if u := mustUsage(t, s); u.Bytes != store.Size(f("a", 200)) {
		t.Fatalf("after Delete, Usage = %+v, want %d bytes", u, store.Size(f("a", 200)))
	}
	// Expiry deletes the articles by cascade: they are counted out too.
	if _, err := s.Expire(ctx, time.Now().Add(time.Hour), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if u := mustUsage(t, s); u != (store.Usage{}) {
		t.Fatalf("after Expire, Usage = %+v, want none", u)
	}
}

// testExpireLittleUsed: a sandbox with no articles, or used only in its
// first visit, goes at the idle cutoff; one used since stays until the
// unused cutoff.
func testExpireLittleUsed(t *testing.T, s store.Store) {
	ctx := t.Context()
	t0 := time.Now()
	busy, once, empty := sandbox(t, "busy"), sandbox(t, "once"), sandbox(t, "empty")
	mustCreate(t, s, busy, store.Fields{Slug: "s"})
	mustCreate(t, s, once, store.Fields{Slug: "s"})
	e := mustCreate(t, s, empty, store.Fields{Slug: "s"})
	if err := s.Delete(ctx, empty, e.ID, 1); err != nil {
		t.Fatal(err)
	}
	for _, sb := range []string{busy, empty} {
		if err := s.Touch(ctx, sb, t0.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Expire(ctx, t0.Add(-time.Hour), t0.Add(20*time.Minute)); err != nil || n != 2 {
		t.Fatalf("Expire at the idle cutoff = %d, %v; want 2 (%s, %s)", n, err, once, empty)
	}
	if list, err := s.List(ctx, busy); err != nil || len(list) != 1 {
		t.Fatalf("the busy sandbox holds %v, %v; want its article", list, err)
	}
	if n, err := s.Expire(ctx, t0.Add(20*time.Minute), t0.Add(20*time.Minute)); err != nil || n != 1 {
		t.Fatalf("Expire at the unused cutoff = %d, %v; want 1 (%s)", n, err, busy)
	}
}
