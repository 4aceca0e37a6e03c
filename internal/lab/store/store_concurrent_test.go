package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/teapothq/teapot/internal/lab/store"
)

// testConcurrentCreateMax races more creates than the sandbox holds:
// exactly max succeed.
func testConcurrentCreateMax(t *testing.T, s store.Store) {
	const max, n = 7, 40
	sb := sandbox(t, "a")
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Create(t.Context(), sb, store.Fields{Slug: fmt.Sprint(i)}, articles(max))
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, store.ErrTooMany):
			t.Errorf("concurrent Create: %v, want nil or ErrTooMany", err)
		}
	}
	list, err := s.List(t.Context(), sb)
	if created != max || err != nil || len(list) != max {
		t.Errorf("%d concurrent creates with max %d: %d succeeded, List has %d (%v); want %d",
			n, max, created, len(list), err, max)
	}
}

// testConcurrentCreateSameSlug races creates of one slug: one wins, the
// others name it.
func testConcurrentCreateSameSlug(t *testing.T, s store.Store) {
	const n = 20
	sb := sandbox(t, "a")
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var a store.Article
			a, errs[i] = s.Create(t.Context(), sb, store.Fields{Slug: "same", Title: fmt.Sprint(i)}, articles(100))
			ids[i] = a.ID
		})
	}
	wg.Wait()
	var winner int64
	for i, err := range errs {
		if err == nil {
			if winner != 0 {
				t.Fatalf("two creates of one slug succeeded: IDs %d and %d", winner, ids[i])
			}
			winner = ids[i]
		}
	}
	for _, err := range errs {
		var dup *store.DuplicateSlugError
		if err != nil && (!errors.As(err, &dup) || dup.Existing != winner) {
			t.Errorf("losing Create: %v, want *DuplicateSlugError naming %d", err, winner)
		}
	}
}

// testConcurrentUpdates has writers each append their marks to one
// article's body by read-modify-write, retrying on StaleError: every
// successful update shows in the end exactly once, and the version counts
// them all.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	const writers, updates = 8, 15
	sb := sandbox(t, "a")
	a := mustCreate(t, s, sb, store.Fields{Slug: "hot"})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			cur := a
			for i := range updates {
				mark := fmt.Sprintf("[%d.%d]", w, i)
				for {
					f := store.Fields{Slug: cur.Slug, Title: mark, Body: cur.Body + mark}
					next, err := s.Update(t.Context(), sb, cur.ID, cur.Version, f, 0)
					var stale *store.StaleError
					if errors.As(err, &stale) {
						cur = stale.Current
						continue
					}
					if err != nil {
						t.Errorf("Update: %v", err)
						return
					}
					cur = next
					break
				}
			}
		})
	}
	wg.Wait()
	got := mustGet(t, s, sb, a.ID)
	if want := int64(1 + writers*updates); got.Version != want {
		t.Errorf("final version %d, want %d", got.Version, want)
	}
	for w := range writers {
		for i := range updates {
			if mark := fmt.Sprintf("[%d.%d]", w, i); strings.Count(got.Body, mark) != 1 {
				t.Errorf("mark %s is in the body %d times, want once", mark, strings.Count(got.Body, mark))
			}
		}
	}
	if want := marksLen(writers, updates); len(got.Body) != want {
		t.Errorf("body is %d bytes, want %d, only the marks: %q", len(got.Body), want, got.Body)
	}
}

// closeOnCleanup closes s when the test ends.
func closeOnCleanup(t testing.TB, s store.Store) store.Store {
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// marksLen is the length of every mark of testConcurrentUpdates together.
func marksLen(writers, updates int) int {
	n := 0
	for w := range writers {
		for i := range updates {
			n += len(fmt.Sprintf("[%d.%d]", w, i))
		}
	}
	return n
}
