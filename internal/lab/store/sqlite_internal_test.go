package store

import (
	"path/filepath"
	"testing"
)

// TestSQLitePragmas checks the settings the connection must have.
func TestSQLitePragmas(t *testing.T) {
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "lab.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"synchronous":  "1", // NORMAL
		"locking_mode": "exclusive",
		"foreign_keys": "1",
		"busy_timeout": "5000",
	} {
		var got string
		if err := s.db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

// TestMigrationsRecorded checks that every migration is recorded once,
// also after reopening.
func TestMigrationsRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.db")
	for range 2 {
		s, err := OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := migrations("sqlite")
		if err != nil {
			t.Fatal(err)
		}
		var n, max int
		if err := s.db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) || max != len(ms) {
			t.Errorf("schema_migrations has %d rows up to version %d, want %d", n, max, len(ms))
		}
		s.Close()
	}
}

// TestMigrationFiles checks that both dialects' migrations load and have
// the same versions.
func TestMigrationFiles(t *testing.T) {
	lite, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Errorf("%d SQLite and %d PostgreSQL migrations, want the same number, not 0", len(lite), len(pg))
	}
}
