package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

var _ Exams = (*SQLite)(nil)

// examStmts are the SQLite store's prepared statements for the exam.
type examStmts struct {
	create, get, count, bump, next, insert, entries, sweep *sql.Stmt
}

func (s *SQLite) prepareExam() error {
	e := &s.exam
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&e.create, `INSERT INTO exam_runs (id, started, expires, settings)
			SELECT ?1, ?2, ?3, ?4 WHERE (SELECT count(*) FROM exam_runs WHERE expires > ?5) < ?6`},
		{&e.get, `SELECT id, started, expires, requests, settings FROM exam_runs WHERE id = ?1`},
		{&e.count, `SELECT requests, expires FROM exam_runs WHERE id = ?1`},
		// The cap and the expiry are checked by the statement that counts
		// the request: one compare-and-set.
		{&e.bump, `UPDATE exam_runs SET requests = requests + 1
			WHERE id = ?1 AND expires > ?2 AND requests < ?3 RETURNING requests, started`},
		{&e.next, `SELECT coalesce(max(n), 0) + 1 FROM exam_entries WHERE run = ?1 AND check_name = ?2`},
		{&e.insert, `INSERT INTO exam_entries (run, check_name, n, seq, record) VALUES (?1, ?2, ?3, ?4, ?5)`},
		{&e.entries, `SELECT seq, check_name, n, record FROM exam_entries WHERE run = ?1`},
		{&e.sweep, `DELETE FROM exam_runs WHERE expires <= ?1`},
	} {
		stmt, err := s.db.Prepare(p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.stmt = stmt
	}
	return nil
}

func (e *examStmts) all() []*sql.Stmt {
	return []*sql.Stmt{e.create, e.get, e.count, e.bump, e.next, e.insert, e.entries, e.sweep}
}

// CreateExamRun implements Exams.
func (s *SQLite) CreateExamRun(ctx context.Context, r ExamRun, maxRuns int) error {
	res, err := s.exam.create.ExecContext(ctx, r.ID, r.Started.UnixMicro(), r.Expires.UnixMilli(), string(r.Settings),
		r.Started.UnixMilli(), orMax(int64(maxRuns)))
	if err != nil {
		return sqliteError("create exam run", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("create exam run: %w", err)
	} else if n == 0 {
		return ErrTooManyRuns
	}
	return nil
}

// ExamRun implements Exams.
func (s *SQLite) ExamRun(ctx context.Context, id string, now time.Time) (ExamRun, error) {
	var r ExamRun
	var started, expires int64
	var settings string
	err := s.exam.get.QueryRowContext(ctx, id).Scan(&r.ID, &started, &expires, &r.Requests, &settings)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ExamRun{}, ErrRunNotFound
	case err != nil:
		return ExamRun{}, fmt.Errorf("get exam run: %w", err)
	}
	r.Started, r.Expires, r.Settings = time.UnixMicro(started).UTC(), time.UnixMilli(expires).UTC(), []byte(settings)
	if !r.Expires.After(now) {
		return ExamRun{}, ErrRunNotFound
	}
	return r, nil
}

// AppendExamEntry implements Exams. SQLite has one writer at a time, so
// the count, the next N and the insert see no other append between them.
func (s *SQLite) AppendExamEntry(ctx context.Context, run, check string, now time.Time, maxRequests int,
	record func(n int, started time.Time) ([]byte, error)) (ExamEntry, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return ExamEntry{}, fmt.Errorf("journal: %w", err)
	}
	defer tx.Rollback()
	e := ExamEntry{Check: check}
	var started int64
	err = tx.StmtContext(ctx, s.exam.bump).QueryRowContext(ctx, run, now.UnixMilli(), orMax(int64(maxRequests))).Scan(&e.Seq, &started)
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		var expires int64
		switch err := tx.StmtContext(ctx, s.exam.count).QueryRowContext(ctx, run).Scan(&n, &expires); {
		case errors.Is(err, sql.ErrNoRows) || err == nil && expires <= now.UnixMilli():
			return ExamEntry{}, ErrRunNotFound
		case err != nil:
			return ExamEntry{}, fmt.Errorf("journal: %w", err)
		}
		return ExamEntry{}, ErrRunFull
	}
	if err != nil {
		return ExamEntry{}, sqliteError("journal", err)
	}
	if err := tx.StmtContext(ctx, s.exam.next).QueryRowContext(ctx, run, check).Scan(&e.N); err != nil {
		return ExamEntry{}, fmt.Errorf("journal: %w", err)
	}
	if e.Record, err = record(e.N, time.UnixMicro(started).UTC()); err != nil {
		return ExamEntry{}, fmt.Errorf("journal: %w", err)
	}
	if _, err := tx.StmtContext(ctx, s.exam.insert).ExecContext(ctx, run, check, e.N, e.Seq, string(e.Record)); err != nil {
		return ExamEntry{}, sqliteError("journal", err)
	}
	if err := tx.Commit(); err != nil {
		return ExamEntry{}, sqliteError("journal: commit", err)
	}
	return e, nil
}

// ExamEntries implements Exams.
func (s *SQLite) ExamEntries(ctx context.Context, run string) ([]ExamEntry, error) {
	rows, err := s.exam.entries.QueryContext(ctx, run)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer rows.Close()
	out := []ExamEntry{}
	for rows.Next() {
		var e ExamEntry
		var rec string
		if err := rows.Scan(&e.Seq, &e.Check, &e.N, &rec); err != nil {
			return nil, fmt.Errorf("read journal: %w", err)
		}
		e.Record = []byte(rec)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	slices.SortFunc(out, func(a, b ExamEntry) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// SweepExamRuns implements Exams.
func (s *SQLite) SweepExamRuns(ctx context.Context, now time.Time) (int, error) {
	res, err := s.exam.sweep.ExecContext(ctx, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("sweep exam runs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sweep exam runs: %w", err)
	}
	return int(n), nil
}
