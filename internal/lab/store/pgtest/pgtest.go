// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the database named by TEAPOT_DATABASE_URL, dropped when the
// test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// URL returns a connection string for a new, empty schema, set as the
// search_path, in the database at $TEAPOT_DATABASE_URL; the schema and
// everything in it is dropped in t.Cleanup. Every store opened on the URL
// shares the schema. Without TEAPOT_DATABASE_URL the test is skipped, or
// fails when TEAPOT_REQUIRE_POSTGRES=1 (as in CI).
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEAPOT_DATABASE_URL")
	if base == "" {
		if os.Getenv("TEAPOT_REQUIRE_POSTGRES") == "1" {
			t.Fatal("TEAPOT_DATABASE_URL is not set but TEAPOT_REQUIRE_POSTGRES=1")
		}
		t.Skip("TEAPOT_DATABASE_URL is not set: PostgreSQL tests skipped")
	}
	schema := "teapot_test_" + strings.ToLower(rand.Text()[:16])
	ident := pgx.Identifier{schema}.Sanitize()
	if err := exec(base, "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(base, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	u, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("pgtest: TEAPOT_DATABASE_URL: %v", err)
	}
	return u
}

// exec runs one statement on a connection of its own: t.Context is over
// by the time cleanups run. It opens a pool, which understands the pool_*
// parameters a URL made for the stores may carry.
func exec(connString, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, connString)
	if err != nil {
		return fmt.Errorf("connect to TEAPOT_DATABASE_URL: %w", err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// withSearchPath adds search_path to a connection string, URL or
// key=value: pgx sends parameters it does not know itself to the server
// as run-time parameters when the connection starts.
func withSearchPath(connString, schema string) (string, error) {
	if !strings.HasPrefix(connString, "postgres://") && !strings.HasPrefix(connString, "postgresql://") {
		return connString + " search_path=" + schema, nil
	}
	u, err := url.Parse(connString)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
