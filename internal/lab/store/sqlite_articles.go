package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The SQLite store's operations; sqlite.go opens it and prepares their
// statements.

// Create implements Store.
func (s *SQLite) Create(ctx context.Context, sandbox string, f Fields, lim Limits) (Article, error) {
	f = f.withDefaults()
	t := time.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Article{}, fmt.Errorf("create article: %w", err)
	}
	defer tx.Rollback()
	if err := s.enter(ctx, tx, sandbox, t, lim); err != nil {
		return Article{}, err
	}
	row := tx.StmtContext(ctx, s.create).QueryRowContext(ctx,
		sandbox, f.Slug, f.Title, f.Body, string(f.State), t.Unix(), orMax(int64(lim.Articles)), Size(f), orMax(lim.Bytes))
	a, err := scanSQLite(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var n int
		if err := tx.StmtContext(ctx, s.count).QueryRowContext(ctx, sandbox).Scan(&n); err != nil {
			return Article{}, fmt.Errorf("create article: count: %w", err)
		}
		if lim.Articles > 0 && n >= lim.Articles {
			return Article{}, ErrTooMany
		}
		return Article{}, ErrStorageFull
	case isSQLiteUnique(err):
		// Still in the transaction, so the holder is there to be named.
		return Article{}, duplicate(tx.StmtContext(ctx, s.slugOwner).QueryRowContext(ctx, sandbox, f.Slug), f.Slug)
	case err != nil:
		return Article{}, sqliteError("create article", err)
	}
	if err := tx.Commit(); err != nil {
		return Article{}, sqliteError("create article: commit", err)
	}
	return a, nil
}

// enter touches the sandbox in tx, making it if lim allows.
func (s *SQLite) enter(ctx context.Context, tx *sql.Tx, sandbox string, t time.Time, lim Limits) error {
	res, err := tx.StmtContext(ctx, s.touch).ExecContext(ctx, sandbox, t.UnixMilli())
	if err != nil {
		return sqliteError("create article: touch sandbox", err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	if !lim.NewSandbox {
		return ErrNoSandbox
	}
	res, err = tx.StmtContext(ctx, s.newSandbox).ExecContext(ctx, sandbox, t.UnixMilli(), orMax(int64(lim.Sandboxes)))
	if err != nil {
		return sqliteError("create article: make sandbox", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmp.Or(err, ErrTooManySandboxes)
	}
	return nil
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
func (s *SQLite) Update(ctx context.Context, sandbox string, id, version int64, f Fields, maxBytes int64) (Article, error) {
	f = f.withDefaults()
	return retryOwnerGone(func() (Article, error) {
		row := s.update.QueryRowContext(ctx,
			f.Slug, f.Title, f.Body, string(f.State), now().Unix(), sandbox, id, version, Size(f), orMax(maxBytes))
		a, err := scanSQLite(row)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			cur, err := s.Get(ctx, sandbox, id)
			return Article{}, whyNotUpdated(version, cur, err)
		case isSQLiteUnique(err):
			return Article{}, duplicate(s.slugOwner.QueryRowContext(ctx, sandbox, f.Slug), f.Slug)
		case err != nil:
			return Article{}, sqliteError(fmt.Sprintf("update article %d", id), err)
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
func (s *SQLite) Expire(ctx context.Context, unused, idle time.Time) (int, error) {
	res, err := s.expire.ExecContext(ctx, unused.UnixMilli(), idle.UnixMilli(), FirstVisit.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("expire sandboxes: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("expire sandboxes: %w", err)
	}
	return int(n), nil
}

// Usage implements Store.
func (s *SQLite) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	if err := s.usage.QueryRowContext(ctx).Scan(&u.Sandboxes, &u.Bytes); err != nil {
		return Usage{}, fmt.Errorf("usage: %w", err)
	}
	return u, nil
}

// Close implements Store.
func (s *SQLite) Close() error {
	var errs []error
	stmts := append([]*sql.Stmt{s.touch, s.newSandbox, s.create, s.count, s.update, s.remove, s.expire, s.usage, s.slugOwner, s.get, s.list}, s.exam.all()...)
	for _, stmt := range stmts {
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

// sqliteError wraps err with what failed; a database at its size cap
// (SQLITE_FULL) becomes ErrStorageFull, which the lab answers as such
// rather than as a server error.
func sqliteError(what string, err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_FULL {
		return fmt.Errorf("%s: %w: %w", what, ErrStorageFull, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
