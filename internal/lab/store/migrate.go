package store

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// The schema of each dialect is a list of numbered files, NNNN_name.sql,
// applied in order. A file, once released, is never edited: a change is a
// new file.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one schema change: Version is the number its file name
// starts with.
type migration struct {
	Version int
	Name    string
	SQL     string
}

// migrations returns the dialect's ("sqlite" or "postgres") migrations in
// order. It fails unless the versions run 1, 2, 3... without gap or
// repeat, so a misnamed file is found by the first test, not in production.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("read %s migrations: %w", dialect, err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s/%s: want a name like 0001_name.sql", dir, e.Name())
		}
		if v != len(ms)+1 {
			return nil, fmt.Errorf("migration %s/%s: version %d, want %d", dir, e.Name(), v, len(ms)+1)
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s/%s: %w", dir, e.Name(), err)
		}
		ms = append(ms, migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	return ms, nil
}

// now is the time stamped on created and updated articles: UTC, whole
// seconds, as HTTP dates carry no more.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Second)
}
