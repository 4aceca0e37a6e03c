package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the Store in a PostgreSQL database that several teapot
// instances share. It holds a pgxpool pool of postgresPoolSize
// connections unless the URL's pool_max_conns says otherwise; pgx
// prepares and caches every statement per connection on first use.
type Postgres struct {
	pool *pgxpool.Pool
}

var _ Store = (*Postgres)(nil)

// migrationLock is the first key of the advisory lock held while
// migrating; the second is the schema's name, so instances sharing a
// schema queue and tests in separate schemas do not.
const migrationLock = 0x7ea907

// newSandboxLock is the first key of the advisory lock a Create holds
// while it makes a sandbox: new sandboxes are made one at a time in a
// schema, so that their count stays under Limits.Sandboxes however many
// instances share it. Each client may make only a few (the lab's rate
// limit), so the lock is seldom waited for.
const newSandboxLock = 0x7ea908

// postgresPoolSize is the default number of connections. A commit waits
// for the server's WAL flush, and concurrent commits share one: with 32
// clients on distinct articles, 8 connections resolved 2.7 times as many
// updates a second as pgxpool's default of 4 on 2 cores (16: 5 times),
// while on one contended article they cost 15% (16: two thirds), as more
// sessions queue on its row lock only to fail. 8 also leaves room for a
// dozen instances under PostgreSQL's default max_connections of 100.
const postgresPoolSize = 8

// OpenPostgres connects to the database at url (a postgres:// URL or a
// key=value string; the schema comes from its search_path, e.g.
// ?search_path=lab) and migrates its schema.
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = postgresPoolSize
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	p := &Postgres{pool: pool}
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return p, nil
}

// migrate applies the pending migrations in one transaction holding a
// transaction-scoped advisory lock, so instances starting together take
// turns: the first migrates, the others then find every version recorded.
// (CREATE TABLE IF NOT EXISTS alone is not safe to race: two can both
// decide to create and one fails on the catalog's unique index.)
func (p *Postgres) migrate(ctx context.Context) error {
	ms, err := migrations("postgres")
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pgLockSchema, migrationLock); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL
		)`); err != nil {
			return fmt.Errorf("migrate: create schema_migrations: %w", err)
		}
		rows, _ := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		for _, v := range versions {
			applied[v] = true
		}
		for _, m := range ms {
			if applied[m.Version] {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate: %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`,
				m.Version); err != nil {
				return fmt.Errorf("migrate: record %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

const (
	// Touching never makes a sandbox: reads of unknown ones write
	// nothing.
	pgTouch      = `UPDATE sandboxes SET last_used = $2 WHERE token = $1`
	pgLockSchema = `SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))`
	// ON CONFLICT: another Create made the sandbox since this one found
	// it missing.
	pgNewSandbox = `INSERT INTO sandboxes (token, last_used, created)
		SELECT $1, $2, $2 WHERE (SELECT count(*) FROM sandboxes) < $3
		ON CONFLICT (token) DO UPDATE SET last_used = excluded.last_used`
	pgCreate = `INSERT INTO articles (sandbox, slug, title, body, state, version, created, updated, size)
		SELECT $1, $2, $3, $4, $5, 1, $6, $6, $8::bigint
		WHERE (SELECT count(*) FROM articles WHERE sandbox = $1) < $7
		AND (SELECT sum(bytes) FROM usage_bytes) + $8::bigint <= $9::bigint
		RETURNING ` + articleColumns
	pgCount = `SELECT count(*) FROM articles WHERE sandbox = $1`
	// size on the right of SET is the new size, in WHERE the old.
	pgUpdate = `UPDATE articles
		SET slug = $1, title = $2, body = $3, state = $4, version = version + 1, updated = $5, size = $9::bigint
		WHERE sandbox = $6 AND id = $7 AND version = $8
		AND ($9::bigint <= size OR (SELECT sum(bytes) FROM usage_bytes) + $9::bigint - size <= $10::bigint)
		RETURNING ` + articleColumns
	pgDelete  = `DELETE FROM articles WHERE sandbox = $1 AND id = $2 AND version = $3`
	pgExpired = `last_used < $2 AND (last_used < $1
		OR last_used <= created + $3 * interval '1 millisecond'
		OR NOT EXISTS (SELECT 1 FROM articles WHERE articles.sandbox = sandboxes.token))`
	pgExpireLock = `SELECT 1 FROM articles WHERE sandbox IN (SELECT token FROM sandboxes WHERE ` + pgExpired + `)
		ORDER BY id FOR UPDATE OF articles`
	pgExpire    = `DELETE FROM sandboxes WHERE ` + pgExpired
	pgUsage     = `SELECT (SELECT count(*) FROM sandboxes), (SELECT coalesce(sum(bytes), 0)::bigint FROM usage_bytes)`
	pgSlugOwner = `SELECT id FROM articles WHERE sandbox = $1 AND slug = $2`
	pgGet       = `SELECT ` + articleColumns + ` FROM articles WHERE sandbox = $1 AND id = $2`
	pgList      = `SELECT ` + articleColumns + ` FROM articles WHERE sandbox = $1 ORDER BY id`
)

// Create implements Store.
//
// The count against lim.Articles is exact under any concurrency: touching
// (or making) the sandbox locks its row until commit, so creates in one
// sandbox take turns, and under READ COMMITTED the count (a new
// statement, a new snapshot) sees every article committed by those
// before. The stored bytes are read as committed: concurrent writes can
// together go past lim.Bytes by at most what they add.
func (p *Postgres) Create(ctx context.Context, sandbox string, f Fields, lim Limits) (Article, error) {
	f = f.withDefaults()
	return retryOwnerGone(func() (Article, error) {
		var a Article
		t := time.Now()
		err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
			if err := p.enter(ctx, tx, sandbox, t, lim); err != nil {
				return err
			}
			var err error
			a, err = scanPostgres(tx.QueryRow(ctx, pgCreate, sandbox, f.Slug, f.Title, f.Body, string(f.State),
				t.UTC().Truncate(time.Second), orMax(int64(lim.Articles)), Size(f), orMax(lim.Bytes)))
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, pgCount, sandbox).Scan(&n); err != nil {
				return err
			}
			if lim.Articles > 0 && n >= lim.Articles {
				return ErrTooMany
			}
			return ErrStorageFull
		})
		switch {
		case errors.Is(err, ErrNoSandbox), errors.Is(err, ErrTooManySandboxes),
			errors.Is(err, ErrTooMany), errors.Is(err, ErrStorageFull):
			return Article{}, err
		case isPostgresUnique(err):
			// The violation ended the transaction: look the holder up
			// afresh (it may have gone since: errOwnerGone, try again).
			return Article{}, duplicate(p.pool.QueryRow(ctx, pgSlugOwner, sandbox, f.Slug), f.Slug)
		case err != nil:
			return Article{}, fmt.Errorf("create article: %w", err)
		}
		return a, nil
	})
}

// enter touches the sandbox in tx, making it if lim allows.
func (p *Postgres) enter(ctx context.Context, tx pgx.Tx, sandbox string, t time.Time, lim Limits) error {
	tag, err := tx.Exec(ctx, pgTouch, sandbox, t)
	if err != nil {
		return fmt.Errorf("touch sandbox: %w", err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	if !lim.NewSandbox {
		return ErrNoSandbox
	}
	if _, err := tx.Exec(ctx, pgLockSchema, newSandboxLock); err != nil {
		return fmt.Errorf("lock for a new sandbox: %w", err)
	}
	tag, err = tx.Exec(ctx, pgNewSandbox, sandbox, t, orMax(int64(lim.Sandboxes)))
	if err != nil {
		return fmt.Errorf("make sandbox: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrTooManySandboxes
	}
	return nil
}

// Get implements Store.
func (p *Postgres) Get(ctx context.Context, sandbox string, id int64) (Article, error) {
	a, err := scanPostgres(p.pool.QueryRow(ctx, pgGet, sandbox, id))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Article{}, ErrNotFound
	case err != nil:
		return Article{}, fmt.Errorf("get article %d: %w", id, err)
	}
	return a, nil
}

// List implements Store.
func (p *Postgres) List(ctx context.Context, sandbox string) ([]Article, error) {
	rows, _ := p.pool.Query(ctx, pgList, sandbox)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Article, error) {
		return scanPostgres(row)
	})
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	if list == nil {
		list = []Article{}
	}
	return list, nil
}

// Update implements Store. Under READ COMMITTED a concurrent update of the
// row makes this one wait, then re-check its WHERE against the new row:
// the version test is a true compare-and-set. The stored bytes are read as
// committed, as in Create.
func (p *Postgres) Update(ctx context.Context, sandbox string, id, version int64, f Fields, maxBytes int64) (Article, error) {
	f = f.withDefaults()
	return retryOwnerGone(func() (Article, error) {
		a, err := scanPostgres(p.pool.QueryRow(ctx, pgUpdate,
			f.Slug, f.Title, f.Body, string(f.State), now(), sandbox, id, version, Size(f), orMax(maxBytes)))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			cur, err := p.Get(ctx, sandbox, id)
			return Article{}, whyNotUpdated(version, cur, err)
		case isPostgresUnique(err):
			return Article{}, duplicate(p.pool.QueryRow(ctx, pgSlugOwner, sandbox, f.Slug), f.Slug)
		case err != nil:
			return Article{}, fmt.Errorf("update article %d: %w", id, err)
		}
		return a, nil
	})
}

// Delete implements Store.
func (p *Postgres) Delete(ctx context.Context, sandbox string, id, version int64) error {
	tag, err := p.pool.Exec(ctx, pgDelete, sandbox, id, version)
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return whyNot(p.Get(ctx, sandbox, id))
	}
	return nil
}

// Touch implements Store.
func (p *Postgres) Touch(ctx context.Context, sandbox string, now time.Time) error {
	if _, err := p.pool.Exec(ctx, pgTouch, sandbox, now); err != nil {
		return fmt.Errorf("touch sandbox: %w", err)
	}
	return nil
}

// Expire implements Store.
//
// It locks the articles it will delete before it deletes any: the
// cascade's triggers then take usage_bytes rows only once no update of
// those articles can be waiting for one of them, so an update and the
// sweep never wait for each other in a circle. (An update locks its
// article, then a usage_bytes row.)
func (p *Postgres) Expire(ctx context.Context, unused, idle time.Time) (int, error) {
	var n int64
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pgExpireLock, unused, idle, FirstVisit.Milliseconds()); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, pgExpire, unused, idle, FirstVisit.Milliseconds())
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expire sandboxes: %w", err)
	}
	return int(n), nil
}

// Usage implements Store.
func (p *Postgres) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	if err := p.pool.QueryRow(ctx, pgUsage).Scan(&u.Sandboxes, &u.Bytes); err != nil {
		return Usage{}, fmt.Errorf("usage: %w", err)
	}
	return u, nil
}

// Close implements Store.
func (p *Postgres) Close() error {
	p.pool.Close()
	return nil
}

func scanPostgres(row pgx.Row) (Article, error) {
	var a Article
	var state string
	if err := row.Scan(&a.ID, &a.Slug, &a.Title, &a.Body, &state, &a.Version, &a.Created, &a.Updated); err != nil {
		return Article{}, err
	}
	a.State = State(state)
	a.Created = a.Created.UTC()
	a.Updated = a.Updated.UTC()
	return a, nil
}

// isPostgresUnique reports a violation of the articles' (sandbox, slug)
// unique constraint.
func isPostgresUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505" && e.ConstraintName == "articles_sandbox_slug_key"
}
