package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/lab/store"
)

// TestSQLiteMaxSize: a database at its size cap refuses writes that need
// more room with ErrStorageFull, not a bare driver error, stays within the
// cap, and takes writes again once something is deleted.
func TestSQLiteMaxSize(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "lab.db")
	const max = 512 << 10
	s, err := store.OpenSQLiteMax(path, max)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("x", 8000)
	var last store.Article
	for i := range 1000 {
		a, err := s.Create(ctx, "sb", store.Fields{Slug: fmt.Sprint(i), Body: body}, articles(0))
		if errors.Is(err, store.ErrStorageFull) {
			break
		}
		if err != nil {
			t.Fatalf("Create %d: %v, want nil or ErrStorageFull", i, err)
		}
		if i == 999 {
			t.Fatalf("1000 articles of 8000 bytes fit in a database capped at %d bytes", max)
		}
		last = a
	}
	if _, err := s.Update(ctx, "sb", last.ID, 1, store.Fields{Slug: last.Slug, Body: body + body}, 0); !errors.Is(err, store.ErrStorageFull) {
		t.Errorf("an Update growing an article in a full database: %v, want ErrStorageFull", err)
	}
	if err := s.Delete(ctx, "sb", last.ID, 1); err != nil {
		t.Fatalf("Delete in a full database: %v", err)
	}
	if _, err := s.Create(ctx, "sb", store.Fields{Slug: "again", Body: body}, articles(0)); err != nil {
		t.Errorf("Create after a Delete made room: %v", err)
	}
	if err := s.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > max {
		t.Errorf("the file is %d bytes (%v), want at most the cap, %d", fi.Size(), err, max)
	}
}

// TestSQLiteSizeFor fills stores to their Limits.Bytes, with small
// articles (the most overhead a byte) and with large ones, and checks
// that the file stays within SQLiteSizeFor: the lab's byte limit, not the
// file's cap, is what stops them.
func TestSQLiteSizeFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		body     int
		maxBytes int64
	}{
		{"small", 10, 1 << 20},
		{"large", 64 << 10, 8 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "lab.db")
			body := strings.Repeat("b", tc.body)
			const perSandbox = 50
			sandboxes := int(tc.maxBytes/store.Size(store.Fields{Slug: "a-slug-99", Title: "A title", Body: body})/perSandbox) + 1
			size := store.SQLiteSizeFor(tc.maxBytes, sandboxes)
			s, err := store.OpenSQLiteMax(path, size)
			if err != nil {
				t.Fatal(err)
			}
			lim := store.Limits{Articles: perSandbox, Sandboxes: sandboxes, Bytes: tc.maxBytes, NewSandbox: true}
			n := 0
			for ; ; n++ {
				f := store.Fields{Slug: fmt.Sprintf("a-slug-%d", n%perSandbox), Title: "A title", Body: body}
				_, err := s.Create(ctx, fmt.Sprintf("sandbox-%06d", n/perSandbox), f, lim)
				if err != nil {
					if !errors.Is(err, store.ErrStorageFull) && !errors.Is(err, store.ErrTooManySandboxes) {
						t.Fatalf("Create %d: %v", n, err)
					}
					break
				}
			}
			u, err := s.Usage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if u.Bytes > tc.maxBytes || u.Bytes < tc.maxBytes*9/10 {
				t.Errorf("%d articles hold %d bytes, want just under %d", n, u.Bytes, tc.maxBytes)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() > size {
				t.Errorf("the file is %d bytes, over SQLiteSizeFor's %d", fi.Size(), size)
			}
			t.Logf("%d articles in %d sandboxes, %d bytes stored: file %d bytes (%.2f times), cap %d",
				n, u.Sandboxes, u.Bytes, fi.Size(), float64(fi.Size())/float64(u.Bytes), size)
		})
	}
}
