package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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

	touch, create, update, remove, expire, slugOwner, get, list *sql.Stmt
}

var _ Store = (*SQLite)(nil)

// sqliteBusyTimeout is how long opening waits for another process to
// release the file.
const sqliteBusyTimeout = 5 * time.Second

// OpenSQLite opens (creating if missing) the SQLite database at path, or a
// private in-memory one for ":memory:", and migrates its schema. The
// directory of path must exist.
//
// Durability: the file is in WAL mode with synchronous=NORMAL. A commit is
// then a write(2) of its pages to the WAL, without fsync: once Update
// returns, the change is in the operating system's page cache, which
// outlives the process, so an acknowledged write survives SIGKILL or a
// crash of teapot (the WAL is replayed at the next open). The WAL is
// fsynced only at checkpoints, so a power loss or kernel panic can lose the
// last commits (never corrupt the database): the price of commits in
// microseconds, and fair for a lab.
func OpenSQLite(path string) (*SQLite, error) {
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	s, err := openSQLite(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

func openSQLite(path string) (*SQLite, error) {
	params := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()),
		"_pragma=foreign_keys(1)",
		// BEGIN IMMEDIATE: a transaction takes the write lock at once
		// rather than failing to upgrade a read lock midway.
		"_txlock=immediate",
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
	return s, nil
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
		{&s.touch, `INSERT INTO sandboxes (token, last_used) VALUES (?1, ?2)
			ON CONFLICT (token) DO UPDATE SET last_used = excluded.last_used`},
		// The count and the insert are one statement in a write
		// transaction, and SQLite has one writer at a time: no other
		// insert can come between them.
		{&s.create, `INSERT INTO articles (sandbox, slug, title, body, state, version, created, updated)
			SELECT ?1, ?2, ?3, ?4, ?5, 1, ?6, ?6
			WHERE (SELECT count(*) FROM articles WHERE sandbox = ?1) < ?7
			RETURNING ` + articleColumns},
		{&s.update, `UPDATE articles
			SET slug = ?1, title = ?2, body = ?3, state = ?4, version = version + 1, updated = ?5
			WHERE sandbox = ?6 AND id = ?7 AND version = ?8
			RETURNING ` + articleColumns},
		{&s.remove, `DELETE FROM articles WHERE sandbox = ?1 AND id = ?2 AND version = ?3`},
		{&s.expire, `DELETE FROM sandboxes WHERE last_used < ?1`},
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

// Create implements Store.
func (s *SQLite) Create(ctx context.Context, sandbox string, f Fields, max int) (Article, error) {
	f = f.withDefaults()
	t := time.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Article{}, fmt.Errorf("create article: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.StmtContext(ctx, s.touch).ExecContext(ctx, sandbox, t.UnixMilli()); err != nil {
		return Article{}, fmt.Errorf("create article: touch sandbox: %w", err)
	}
	row := tx.StmtContext(ctx, s.create).QueryRowContext(ctx,
		sandbox, f.Slug, f.Title, f.Body, string(f.State), t.Unix(), max)
	a, err := scanSQLite(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Article{}, ErrTooMany
	case isSQLiteUnique(err):
		// Still in the transaction, so the holder is there to be named.
		return Article{}, duplicate(tx.StmtContext(ctx, s.slugOwner).QueryRowContext(ctx, sandbox, f.Slug), f.Slug)
	case err != nil:
		return Article{}, fmt.Errorf("create article: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Article{}, fmt.Errorf("create article: commit: %w", err)
	}
	return a, nil
}

// Get implements Store.
func (s *SQLite) Get(ctx context.Context, sandbox string, id int64) (Article, error) {
	a, err := scanSQLite(s.get.QueryRowContext(ctx, sandbox, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Article{}, ErrNotFound
	case err != nil:
		return Article{}, fmt.Errorf("get article %d: %w", id, err)
	}
	return a, nil
}

// List implements Store.
func (s *SQLite) List(ctx context.Context, sandbox string) ([]Article, error) {
	rows, err := s.list.QueryContext(ctx, sandbox)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	defer rows.Close()
	list := []Article{}
	for rows.Next() {
		a, err := scanSQLite(rows)
		if err != nil {
			return nil, fmt.Errorf("list articles: %w", err)
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return list, nil
}

// Update implements Store.
func (s *SQLite) Update(ctx context.Context, sandbox string, id, version int64, f Fields) (Article, error) {
	f = f.withDefaults()
	return retryOwnerGone(func() (Article, error) {
		row := s.update.QueryRowContext(ctx,
			f.Slug, f.Title, f.Body, string(f.State), now().Unix(), sandbox, id, version)
		a, err := scanSQLite(row)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return Article{}, whyNot(s.Get(ctx, sandbox, id))
		case isSQLiteUnique(err):
			return Article{}, duplicate(s.slugOwner.QueryRowContext(ctx, sandbox, f.Slug), f.Slug)
		case err != nil:
			return Article{}, fmt.Errorf("update article %d: %w", id, err)
		}
		return a, nil
	})
}

// Delete implements Store.
func (s *SQLite) Delete(ctx context.Context, sandbox string, id, version int64) error {
	res, err := s.remove.ExecContext(ctx, sandbox, id, version)
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	if n == 0 {
		return whyNot(s.Get(ctx, sandbox, id))
	}
	return nil
}

// Touch implements Store.
func (s *SQLite) Touch(ctx context.Context, sandbox string, now time.Time) error {
	if _, err := s.touch.ExecContext(ctx, sandbox, now.UnixMilli()); err != nil {
		return fmt.Errorf("touch sandbox: %w", err)
	}
	return nil
}

// Expire implements Store.
func (s *SQLite) Expire(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := s.expire.ExecContext(ctx, cutoff.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("expire sandboxes: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("expire sandboxes: %w", err)
	}
	return int(n), nil
}

// Close implements Store.
func (s *SQLite) Close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{s.touch, s.create, s.update, s.remove, s.expire, s.slugOwner, s.get, s.list} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	errs = append(errs, s.db.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}

// scanSQLite reads one row of articleColumns; times are stored as Unix
// seconds.
func scanSQLite(row interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var state string
	var created, updated int64
	if err := row.Scan(&a.ID, &a.Slug, &a.Title, &a.Body, &state, &a.Version, &created, &updated); err != nil {
		return Article{}, err
	}
	a.State = State(state)
	a.Created = time.Unix(created, 0).UTC()
	a.Updated = time.Unix(updated, 0).UTC()
	return a, nil
}

// isSQLiteUnique reports a UNIQUE constraint failure: articles has one
// unique key besides its rowid, (sandbox, slug).
func isSQLiteUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
