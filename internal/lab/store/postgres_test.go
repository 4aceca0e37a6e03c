package store_test

import (
	"sync"
	"testing"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
)

func openPostgres(t testing.TB, url string) *store.Postgres {
	t.Helper()
	s, err := store.OpenPostgres(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, s)
	return s
}

func TestPostgres(t *testing.T) {
	pgtest.URL(t) // skip (or fail) the whole test, not each case, without PostgreSQL
	testStore(t, func(t *testing.T) store.Store {
		return openPostgres(t, pgtest.URL(t))
	})
	t.Run("ConcurrentMigrations", func(t *testing.T) {
		t.Parallel()
		url := pgtest.URL(t)
		const n = 4
		stores := make([]store.Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var s *store.Postgres
				if s, errs[i] = store.OpenPostgres(t.Context(), url); errs[i] == nil {
					stores[i] = closeOnCleanup(t, s)
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("OpenPostgres %d of %d at once on a fresh schema: %v", i+1, n, err)
			}
		}
		// They share one database.
		a := mustCreate(t, stores[0], "sb", store.Fields{Slug: "s"})
		if got := mustGet(t, stores[n-1], "sb", a.ID); got != a {
			t.Errorf("another instance reads %+v, want %+v", got, a)
		}
	})
}
