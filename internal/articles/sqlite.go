package articles

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
// SQLite lets one connection write at a time, so SQLite keeps exactly one
// writer connection: writers queue in database/sql's pool instead of
// spinning on SQLITE_BUSY, and every statement is prepared once on it.
// Reads go to a small pool of read-only connections, which WAL mode lets
// run beside the writer and each other. An in-memory database lives and
// dies with its connection, so there the writer is also the only reader.
type SQLite struct {
	write *sql.DB
	read  *sql.DB // == write for ":memory:"

	// On write.
	touch, create, update, remove, expire, slugOwner *sql.Stmt
	// On read.
	get, list *sql.Stmt
}

var _ Store = (*SQLite)(nil)

// sqliteReaders is the size of the read pool: a few more than the cores,
// as a read also waits on Go's scheduler and the page cache.
const sqliteReaders = 4

// sqliteBusyTimeout is how long a connection waits on a lock held by
// another process (or a checkpoint) before failing with SQLITE_BUSY.
const sqliteBusyTimeout = 5 * time.Second

// OpenSQLite opens (creating if missing) the SQLite database at path, or a
// private in-memory one for ":memory:", and migrates its schema. The
// directory of path must exist.
//
// Durability: the file is in WAL mode with synchronous=NORMAL. A commit is
// then a write(2) of its frames to the WAL, without fsync: once Update
// returns, the change is in the operating system's page cache, which
// outlives the process, so an acknowledged write survives SIGKILL or a
// crash of teapot. The WAL is fsynced only at checkpoints, so a power loss
// or kernel panic can lose the last commits (never corrupt the database);
// that is the price of commits in microseconds, and acceptable for a lab.
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
	memory := path == ":memory:"
	s := &SQLite{}
	var err error
	if s.write, err = openSQLiteDB(path, memory, false); err != nil {
		return nil, err
	}
	s.write.SetMaxOpenConns(1)
	// An in-memory database vanishes with its connection: never let the
	// pool retire it.
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0)
	if err := s.migrate(context.Background()); err != nil {
		s.write.Close()
		return nil, err
	}
	s.read = s.write
	if !memory {
		// Opened after the writer, which has switched the file to WAL.
		if s.read, err = openSQLiteDB(path, false, true); err != nil {
			s.write.Close()
			return nil, err
		}
		s.read.SetMaxOpenConns(sqliteReaders)
		s.read.SetMaxIdleConns(sqliteReaders)
	}
	if err := s.prepare(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openSQLiteDB opens a pool on path whose every connection has the
// pragmas set: the writer begins transactions with BEGIN IMMEDIATE (it
// takes the write lock at once, so it never fails to upgrade a read lock
// midway), readers are read-only.
func openSQLiteDB(path string, memory, readOnly bool) (*sql.DB, error) {
	params := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()),
		"_pragma=foreign_keys(1)",
	}
	dsn := "file::memory:"
	if !memory {
		dsn = "file:" + escapeSQLitePath(path)
		params = append(params, "_pragma=journal_mode(WAL)", "_pragma=synchronous(NORMAL)")
	}
	if readOnly {
		params = append(params, "_query_only=1")
	} else {
		params = append(params, "_txlock=immediate")
	}
	db, err := sql.Open("sqlite", dsn+"?"+strings.Join(params, "&"))
	if err != nil {
		return nil, err
	}
	// sql.Open connects lazily; fail now on a missing directory or a file
	// that is not a database.
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// escapeSQLitePath makes path safe inside a "file:" URI, where "?" and "#"
// end the path and "%" starts an escape.
func escapeSQLitePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// migrate applies the pending migrations in one BEGIN IMMEDIATE
// transaction: the write lock keeps a second process opening the same file
// out until the first has finished.
func (s *SQLite) migrate(ctx context.Context) error {
	ms, err := migrations("sqlite")
	if err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
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
		db   *sql.DB
		stmt **sql.Stmt
		sql  string
	}{
		{s.write, &s.touch, `INSERT INTO sandboxes (token, last_used) VALUES (?1, ?2)
			ON CONFLICT (token) DO UPDATE SET last_used = excluded.last_used`},
		// The count and the insert are one statement in the writer's
		// transaction, and SQLite has one writer at a time: no other
		// insert can come between them.
		{s.write, &s.create, `INSERT INTO articles (sandbox, slug, title, body, state, version, created, updated)
			SELECT ?1, ?2, ?3, ?4, ?5, 1, ?6, ?6
			WHERE (SELECT count(*) FROM articles WHERE sandbox = ?1) < ?7
			RETURNING ` + articleColumns},
		{s.write, &s.update, `UPDATE articles
			SET slug = ?1, title = ?2, body = ?3, state = ?4, version = version + 1, updated = ?5
			WHERE sandbox = ?6 AND id = ?7 AND version = ?8
			RETURNING ` + articleColumns},
		{s.write, &s.remove, `DELETE FROM articles WHERE sandbox = ?1 AND id = ?2 AND version = ?3`},
		{s.write, &s.expire, `DELETE FROM sandboxes WHERE last_used < ?1`},
		{s.write, &s.slugOwner, `SELECT id FROM articles WHERE sandbox = ?1 AND slug = ?2`},
		{s.read, &s.get, `SELECT ` + articleColumns + ` FROM articles WHERE sandbox = ?1 AND id = ?2`},
		{s.read, &s.list, `SELECT ` + articleColumns + ` FROM articles WHERE sandbox = ?1 ORDER BY id`},
	} {
		stmt, err := p.db.Prepare(p.sql)
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
	tx, err := s.write.BeginTx(ctx, nil)
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
	if s.read != s.write {
		errs = append(errs, s.read.Close())
	}
	errs = append(errs, s.write.Close())
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
