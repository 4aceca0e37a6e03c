package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestURL checks that pgx sends search_path as a run-time parameter, so
// unqualified names land in the test's schema, and that the schema is
// dropped when the test ends.
func TestURL(t *testing.T) {
	var schema string
	t.Run("use", func(t *testing.T) {
		conn, err := pgx.Connect(t.Context(), URL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if err := conn.QueryRow(t.Context(), `SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(t.Context(), `CREATE TABLE probe (x int)`); err != nil {
			t.Fatal(err)
		}
		var in string
		if err := conn.QueryRow(t.Context(), `SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe'`).Scan(&in); err != nil {
			t.Fatal(err)
		}
		if in != schema {
			t.Errorf("table probe is in schema %q, want the search_path's %q", in, schema)
		}
	})
	if schema == "" {
		t.SkipNow() // skipped or failed above
	}
	conn, err := pgx.Connect(t.Context(), URL(t)) // a second, independent schema
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("schema %q still exists after its test ended", schema)
	}
}

func TestWithSearchPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?search_path=s&sslmode=disable"},
		{"postgresql://u@h/db", "postgresql://u@h/db?search_path=s"},
		{"host=h dbname=db", "host=h dbname=db search_path=s"},
	} {
		got, err := withSearchPath(tc.in, "s")
		if err != nil || got != tc.want {
			t.Errorf("withSearchPath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
