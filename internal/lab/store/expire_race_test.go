package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
)

// TestExpireWhileUpdating races Expire against updates that resize the
// articles of the sandboxes it removes: each update succeeds or finds its
// article gone, neither fails, and the stored bytes the triggers keep come
// back to exactly none. (In PostgreSQL the sweep locks the articles first
// so that it and an update cannot deadlock on usage_bytes; that window is
// microseconds wide, and this test does not reliably hit it without the
// lock.)
func TestExpireWhileUpdating(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"sqlite", func(t *testing.T) store.Store { return openSQLite(t, ":memory:") }},
		{"postgres", func(t *testing.T) store.Store { return openPostgres(t, pgtest.URL(t)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tc.open(t)
			ctx := t.Context()
			const sandboxes, perSandbox = 8, 16
			for round := range 5 {
				var arts []store.Article
				var sbs []string
				for i := range sandboxes {
					sb := fmt.Sprintf("%d-%d", round, i)
					sbs = append(sbs, sb)
					for j := range perSandbox {
						arts = append(arts, mustCreate(t, s, sb, store.Fields{Slug: fmt.Sprint(j)}))
					}
				}
				var wg sync.WaitGroup
				errs := make(chan error, len(arts)+1)
				swept := make(chan struct{})
				// Each article is updated again and again until the sweep is
				// over, so that updates hold their locks while it runs.
				for i, a := range arts {
					wg.Go(func() {
						for v := a.Version; ; v++ {
							f := store.Fields{Slug: a.Slug, Body: strings.Repeat("x", 100+int(v)%50)}
							_, err := s.Update(ctx, sbs[i/perSandbox], a.ID, v, f, 0)
							if errors.Is(err, store.ErrNotFound) {
								return
							}
							if err != nil {
								errs <- err
								return
							}
							select {
							case <-swept:
								return
							default:
							}
						}
					})
				}
				wg.Go(func() {
					defer close(swept)
					if _, err := s.Expire(ctx, time.Now().Add(time.Hour), time.Now().Add(time.Hour)); err != nil {
						errs <- err
					}
				})
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatalf("round %d: %v", round, err)
				}
				if u := mustUsage(t, s); u != (store.Usage{}) {
					// A late update may have run after the sweep: sweep again.
					if _, err := s.Expire(ctx, time.Now().Add(time.Hour), time.Now().Add(time.Hour)); err != nil {
						t.Fatal(err)
					}
					if u := mustUsage(t, s); u != (store.Usage{}) {
						t.Fatalf("round %d: after the sweeps, Usage = %+v, want none", round, u)
					}
				}
			}
		})
	}
}
