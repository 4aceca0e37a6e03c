package store_test

import (
	"path/filepath"
	"testing"

	"github.com/teapothq/teapot/internal/lab/store"
)

func openSQLite(t testing.TB, path string) *store.SQLite {
	t.Helper()
	s, err := store.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, s)
	return s
}

func TestSQLiteMemory(t *testing.T) {
	testStore(t, func(t *testing.T) store.Store {
		return openSQLite(t, ":memory:")
	})
	t.Run("Private", func(t *testing.T) {
		a, b := openSQLite(t, ":memory:"), openSQLite(t, ":memory:")
		mustCreate(t, a, "sb", store.Fields{Slug: "s"})
		if list, err := b.List(t.Context(), "sb"); err != nil || len(list) != 0 {
			t.Errorf("second in-memory store lists %v, %v; want nothing of the first's", list, err)
		}
	})
}

func TestSQLiteFile(t *testing.T) {
	testStore(t, func(t *testing.T) store.Store {
		return openSQLite(t, filepath.Join(t.TempDir(), "lab.db"))
	})
	t.Run("Reopen", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "lab.db")
		s, err := store.OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		a := mustCreate(t, s, "sb", store.Fields{Slug: "kept", Body: "still here"})
		a, err = s.Update(t.Context(), "sb", a.ID, 1, store.Fields{Slug: "kept", Body: "changed"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = openSQLite(t, path) // migrations find their versions applied
		if got := mustGet(t, s, "sb", a.ID); got != a {
			t.Errorf("after reopening, Get = %+v, want %+v", got, a)
		}
	})
	t.Run("OddPath", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "a ?b#c%20d.db")
		mustCreate(t, openSQLite(t, path), "sb", store.Fields{Slug: "s"})
		if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); len(matches) == 0 || filepath.Base(matches[0]) != filepath.Base(path) {
			t.Errorf("files made: %v, want %s first", matches, path)
		}
	})
	t.Run("HeldByAnother", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "lab.db")
		openSQLite(t, path)
		if s, err := store.OpenSQLite(path); err == nil {
			s.Close()
			t.Fatal("second OpenSQLite of a file in use succeeded, want an error")
		}
	})
	t.Run("MissingDirectory", func(t *testing.T) {
		t.Parallel()
		_, err := store.OpenSQLite(filepath.Join(t.TempDir(), "no", "such", "lab.db"))
		if err == nil {
			t.Fatal("OpenSQLite in a missing directory succeeded, want an error")
		}
	})
	t.Run("NotADatabase", func(t *testing.T) {
		t.Parallel()
		if _, err := store.OpenSQLite(t.TempDir()); err == nil {
			t.Fatal("OpenSQLite of a directory succeeded, want an error")
		}
		if _, err := store.OpenSQLite(""); err == nil {
			t.Fatal("OpenSQLite(\"\") succeeded, want an error")
		}
	})
}
