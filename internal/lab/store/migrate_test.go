package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/teapothq/teapot/internal/lab/store/pgtest"
)

// The rows a database made before migration 2 holds: one sandbox with two
// articles, as migration 1 left them.
var (
	oldArticles = []Fields{{Slug: "a", Title: "Á title", Body: "a body\n"}, {Slug: "b", Title: "B", Body: ""}}
	oldSandbox  = "old-sandbox-0123456789"
)

// checkMigrated checks a store opened on a database that migration 2 met
// with oldArticles in it: their bytes are counted, and the sandbox, made
// before anyone knew when, is not taken for a little-used one.
func checkMigrated(t *testing.T, s Store) {
	t.Helper()
	u, err := s.Usage(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := Size(oldArticles[0]) + Size(oldArticles[1]); u != (Usage{Sandboxes: 1, Bytes: want}) {
		t.Errorf("Usage after migrating = %+v, want 1 sandbox and %d bytes", u, want)
	}
	now := time.Now()
	if n, err := s.Expire(t.Context(), now.Add(-time.Hour), now.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("Expire of little-used sandboxes = %d, %v; want the old sandbox kept", n, err)
	}
}

func TestMigrateSQLiteCountsExisting(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "lab.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, q := range []string{
		ms[0].SQL,
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO sandboxes VALUES (?, ?)`, oldSandbox, now.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	for _, f := range oldArticles {
		if _, err := db.Exec(`INSERT INTO articles (sandbox, slug, title, body, state, version, created, updated)
			VALUES (?, ?, ?, ?, 'draft', 1, ?, ?)`, oldSandbox, f.Slug, f.Title, f.Body, now.Unix(), now.Unix()); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkMigrated(t, s)
}

func TestMigratePostgresCountsExisting(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		ms[0].SQL,
		`CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, now())`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO sandboxes VALUES ($1, now())`, oldSandbox); err != nil {
		t.Fatal(err)
	}
	for _, f := range oldArticles {
		if _, err := pool.Exec(ctx, `INSERT INTO articles (sandbox, slug, title, body, state, version, created, updated)
			VALUES ($1, $2, $3, $4, 'draft', 1, now(), now())`, oldSandbox, f.Slug, f.Title, f.Body); err != nil {
			t.Fatal(err)
		}
	}
	pool.Close()
	s, err := OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkMigrated(t, s)
}
