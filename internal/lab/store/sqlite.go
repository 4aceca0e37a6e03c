package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SQLite is the Store in one SQLite database file, or in memory.
//
// It holds one connection, in exclusive locking mode. SQLite has one
// writer at a time anyway, so writers queue in database/sql's pool rather
// than spin on SQLITE_BUSY. Exclusive mode keeps the WAL index in memory
// and the file locked for good, so a transaction takes no file locks. The
// usual shape, one writer beside a pool of readers, pays 6 fcntl calls per
// write and 2 per read for those locks; on the lab's 2-core target that
// cost more than parallel reads of a few microseconds win back: through
// the lab's HTTP API, one connection resolved 1.3 to 2 times as many
// updates a second, conflicting or not. The price: no other process can
// open the file while teapot runs. A second teapot on the same file fails
// to open after the busy timeout, which is right; to look inside with the
// sqlite3 shell, stop teapot first.
type SQLite struct {
	db *sql.DB

	touch, newSandbox, create, count, update, remove, expire, usage, slugOwner, get, list *sql.Stmt

	exam examStmts // the client exam's (exam_sqlite.go)
}

var _ Store = (*SQLite)(nil)

// sqliteBusyTimeout is how long opening waits for another process to
// release the file.
const sqliteBusyTimeout = 5 * time.Second

// OpenSQLite opens (creating if missing) the SQLite database at path, or a
// private in-memory one for ":memory:", and migrates its schema. The
// directory of path must exist. The database's size has no cap but the
// disk's: see OpenSQLiteMax.
//
// Durability: the file is in WAL mode with synchronous=NORMAL. A commit is
// then a write(2) of its pages to the WAL, without fsync: once Update
// returns, the change is in the operating system's page cache, which
// outlives the process, so an acknowledged write survives SIGKILL or a
// crash of teapot (the WAL is replayed at the next open). The WAL is
// fsynced only at checkpoints, so a power loss or kernel panic can lose the
// last commits (never corrupt the database): the price of commits in
// microseconds, and fair for a lab.
func OpenSQLite(path string) (*SQLite, error) { return OpenSQLiteMax(path, 0) }

// OpenSQLiteMax is OpenSQLite with the database capped at about maxSize
// bytes (PRAGMA max_page_count; 0: no cap), in memory as on disk. A write
// that needs more fails with ErrStorageFull. The cap is on the database
// proper: the WAL beside it is emptied at every checkpoint (1000 pages).
// A database already larger keeps its size but cannot grow.
func OpenSQLiteMax(path string, maxSize int64) (*SQLite, error) {
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if maxSize < 0 {
		return nil, errors.New("open sqlite: negative size cap")
	}
	s, err := openSQLite(path, maxSize)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

func openSQLite(path string, maxSize int64) (*SQLite, error) {
	params := []string{
		// The page size of a new database (an existing one keeps its
		// own): max_page_count below counts in these pages.
		fmt.Sprintf("_pragma=page_size(%d)", sqlitePageSize),
		fmt.Sprintf("_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()),
		"_pragma=foreign_keys(1)",
		// BEGIN IMMEDIATE: a transaction takes the write lock at once
		// rather than failing to upgrade a read lock midway.
		"_txlock=immediate",
	}
	if maxSize > 0 {
		params = append(params, fmt.Sprintf("_pragma=max_page_count(%d)", max(1, maxSize/sqlitePageSize)))
	}
	dsn := "file::memory:"
	if path != ":memory:" {
		dsn = "file:" + escapeSQLitePath(path)
		// locking_mode first: WAL then keeps its index in heap memory.
		params = append(params, "_pragma=locking_mode(EXCLUSIVE)",
			"_pragma=journal_mode(WAL)", "_pragma=synchronous(NORMAL)")
	}
	db, err := sql.Open("sqlite", dsn+"?"+strings.Join(params, "&"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	// An in-memory database vanishes with its connection, and reopening
	// a file costs a WAL recovery: never let the pool retire the one.
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &SQLite{db: db}
	// sql.Open connects lazily: fail now on a missing directory, a file
	// that is not a database or one that another process holds.
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.prepare(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepareExam(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// sqlitePageSize is the page size of new databases: SQLite's default.
const sqlitePageSize = 4096

// SQLiteSizeFor is the size cap (for OpenSQLiteMax) that holds maxBytes of
// articles (Limits.Bytes) in maxSandboxes sandboxes with room to spare, so
// that the lab's byte limit, not the file's cap, is what a client meets:
// B-tree pages are not full, the (sandbox, slug) index repeats part of
// each row, and a sandbox's own rows take about 100 bytes. Measured
// (TestSQLiteSizeFor), a file filled to maxBytes is 1.25 times it with
// tiny articles and 1.01 times with 64 KiB ones.
func SQLiteSizeFor(maxBytes int64, maxSandboxes int) int64 {
	return 2*maxBytes + 256*int64(maxSandboxes) + 4<<20
}

// escapeSQLitePath makes path safe inside a "file:" URI, where "?" and "#"
// end the path and "%" starts an escape.
func escapeSQLitePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// migrate applies the pending migrations in one BEGIN IMMEDIATE
// transaction: should a second process open the file at the same moment,
// the write lock makes it wait until the first has finished (and then
// fail, as the first holds the file in exclusive mode).
func (s *SQLite) migrate(ctx context.Context) error {
	ms, err := migrations("sqlite")
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL -- Unix seconds
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.Version, time.Now().Unix()); err != nil {
			return fmt.Errorf("migrate: record %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// articleColumns are the columns every query returns, in scanArticle's
// order.
const articleColumns = `id, slug, title, body, state, version, created, updated`

func (s *SQLite) prepare() error {
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		// Touching never makes a sandbox: reads of unknown ones write
		// nothing.
		{&s.touch, `UPDATE sandboxes SET last_used = ?2 WHERE token = ?1`},
		{&s.newSandbox, `INSERT INTO sandboxes (token, last_used, created)
			SELECT ?1, ?2, ?2 WHERE (SELECT count(*) FROM sandboxes) < ?3`},
		// The counts and the insert are one statement in a write
		// transaction, and SQLite has one writer at a time: no other
		// insert can come between them.
		{&s.create, `INSERT INTO articles (sandbox, slug, title, body, state, version, created, updated, size)
			SELECT ?1, ?2, ?3, ?4, ?5, 1, ?6, ?6, ?8
			WHERE (SELECT count(*) FROM articles WHERE sandbox = ?1) < ?7
			AND (SELECT sum(bytes) FROM usage_bytes) + ?8 <= ?9
			RETURNING ` + articleColumns},
		{&s.count, `SELECT count(*) FROM articles WHERE sandbox = ?1`},
		// size on the right of SET is the new size, in WHERE the old.
		{&s.update, `UPDATE articles
			SET slug = ?1, title = ?2, body = ?3, state = ?4, version = version + 1, updated = ?5, size = ?9
			WHERE sandbox = ?6 AND id = ?7 AND version = ?8
			AND (?9 <= size OR (SELECT sum(bytes) FROM usage_bytes) + ?9 - size <= ?10)
			RETURNING ` + articleColumns},
		{&s.remove, `DELETE FROM articles WHERE sandbox = ?1 AND id = ?2 AND version = ?3`},
		// last_used < ?2 first, for the index: ?1 is not after ?2.
		{&s.expire, `DELETE FROM sandboxes WHERE last_used < ?2 AND (last_used < ?1
			OR last_used <= created + ?3
			OR NOT EXISTS (SELECT 1 FROM articles WHERE articles.sandbox = sandboxes.token))`},
		{&s.usage, `SELECT (SELECT count(*) FROM sandboxes), (SELECT coalesce(sum(bytes), 0) FROM usage_bytes)`},
		{&s.slugOwner, `SELECT id FROM articles WHERE sandbox = ?1 AND slug = ?2`},
		{&s.get, `SELECT ` + articleColumns + ` FROM articles WHERE sandbox = ?1 AND id = ?2`},
		{&s.list, `SELECT ` + articleColumns + ` FROM articles WHERE sandbox = ?1 ORDER BY id`},
	} {
		stmt, err := s.db.Prepare(p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.stmt = stmt
	}
	return nil
}
