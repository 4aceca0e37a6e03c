package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

var _ Exams = (*Postgres)(nil)

// newRunLock is the first key of the advisory lock a new exam run is made
// under, so that the count of runs stays under the cap however many
// instances share the schema. Runs are rate-limited per client, so the
// lock is seldom waited for.
const newRunLock = 0x7ea909

const (
	pgExamCreate = `INSERT INTO exam_runs (id, started, expires, settings)
		SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM exam_runs WHERE expires > $2) < $5::bigint`
	pgExamGet = `SELECT id, started, expires, requests, settings FROM exam_runs WHERE id = $1`
	pgExamRun = `SELECT requests, expires FROM exam_runs WHERE id = $1`
	// The UPDATE locks the run's row until commit: a run's appends take
	// turns, and under READ COMMITTED the next statement's snapshot sees
	// every entry committed before, so N and Seq never repeat.
	pgExamBump = `UPDATE exam_runs SET requests = requests + 1
		WHERE id = $1 AND expires > $2 AND requests < $3::bigint RETURNING requests, started`
	pgExamNext    = `SELECT coalesce(max(n), 0) + 1 FROM exam_entries WHERE run = $1 AND check_name = $2`
	pgExamInsert  = `INSERT INTO exam_entries (run, check_name, n, seq, record) VALUES ($1, $2, $3, $4, $5)`
	pgExamEntries = `SELECT seq, check_name, n, record FROM exam_entries WHERE run = $1 ORDER BY seq`
	pgExamSweep   = `DELETE FROM exam_runs WHERE expires <= $1`
)

// CreateExamRun implements Exams.
func (p *Postgres) CreateExamRun(ctx context.Context, r ExamRun, maxRuns int) error {
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if maxRuns > 0 {
			if _, err := tx.Exec(ctx, pgLockSchema, newRunLock); err != nil {
				return fmt.Errorf("lock for a new run: %w", err)
			}
		}
		tag, err := tx.Exec(ctx, pgExamCreate, r.ID, r.Started, r.Expires.Truncate(time.Millisecond), string(r.Settings), orMax(int64(maxRuns)))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrTooManyRuns
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrTooManyRuns):
		return err
	case err != nil:
		return fmt.Errorf("create exam run: %w", err)
	}
	return nil
}

// ExamRun implements Exams.
func (p *Postgres) ExamRun(ctx context.Context, id string, now time.Time) (ExamRun, error) {
	var r ExamRun
	var settings string
	err := p.pool.QueryRow(ctx, pgExamGet, id).Scan(&r.ID, &r.Started, &r.Expires, &r.Requests, &settings)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ExamRun{}, ErrRunNotFound
	case err != nil:
		return ExamRun{}, fmt.Errorf("get exam run: %w", err)
	}
	r.Started, r.Expires, r.Settings = r.Started.UTC(), r.Expires.UTC(), []byte(settings)
	if !r.Expires.After(now) {
		return ExamRun{}, ErrRunNotFound
	}
	return r, nil
}

// AppendExamEntry implements Exams.
func (p *Postgres) AppendExamEntry(ctx context.Context, run, check string, now time.Time, maxRequests int,
	record func(n int, started time.Time) ([]byte, error)) (ExamEntry, error) {
	e := ExamEntry{Check: check}
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		var started time.Time
		err := tx.QueryRow(ctx, pgExamBump, run, now, orMax(int64(maxRequests))).Scan(&e.Seq, &started)
		if errors.Is(err, pgx.ErrNoRows) {
			var n int
			var expires time.Time
			switch err := tx.QueryRow(ctx, pgExamRun, run).Scan(&n, &expires); {
			case errors.Is(err, pgx.ErrNoRows) || err == nil && !expires.After(now):
				return ErrRunNotFound
			case err != nil:
				return err
			}
			return ErrRunFull
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, pgExamNext, run, check).Scan(&e.N); err != nil {
			return err
		}
		if e.Record, err = record(e.N, started.UTC()); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, pgExamInsert, run, check, e.N, e.Seq, string(e.Record))
		return err
	})
	switch {
	case errors.Is(err, ErrRunNotFound), errors.Is(err, ErrRunFull):
		return ExamEntry{}, err
	case err != nil:
		return ExamEntry{}, fmt.Errorf("journal: %w", err)
	}
	return e, nil
}

// ExamEntries implements Exams.
func (p *Postgres) ExamEntries(ctx context.Context, run string) ([]ExamEntry, error) {
	rows, _ := p.pool.Query(ctx, pgExamEntries, run)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ExamEntry, error) {
		var e ExamEntry
		var rec string
		err := row.Scan(&e.Seq, &e.Check, &e.N, &rec)
		e.Record = []byte(rec)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	if out == nil {
		out = []ExamEntry{}
	}
	return out, nil
}

// SweepExamRuns implements Exams.
func (p *Postgres) SweepExamRuns(ctx context.Context, now time.Time) (int, error) {
	tag, err := p.pool.Exec(ctx, pgExamSweep, now)
	if err != nil {
		return 0, fmt.Errorf("sweep exam runs: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
