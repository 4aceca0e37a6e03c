package articles

import (
	"path/filepath"
	"testing"
)

// TestSQLitePragmas checks the settings every connection must have.
func TestSQLitePragmas(t *testing.T) {
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "lab.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		pool, pragma, want string
	}{
		{"write", "journal_mode", "wal"},
		{"write", "synchronous", "1"}, // NORMAL
		{"write", "foreign_keys", "1"},
		{"write", "busy_timeout", "5000"},
		{"read", "journal_mode", "wal"},
		{"read", "foreign_keys", "1"},
		{"read", "query_only", "1"},
		{"read", "busy_timeout", "5000"},
	} {
		db := s.write
		if tc.pool == "read" {
			db = s.read
		}
		var got string
		if err := db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s connection: PRAGMA %s = %s, want %s", tc.pool, tc.pragma, got, tc.want)
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
		if err := s.write.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
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
