package store

import (
	"context"
	"errors"
	"time"
)

// The client exam's storage (package exam keeps its runs here): a run, and
// the journal of the requests a client made during it. Records are opaque
// JSON to the store, which only counts, orders and expires them. Both the
// SQLite and the PostgreSQL store implement Exams.

// ExamRun is one run of the client exam.
type ExamRun struct {
	ID       string
	Started  time.Time // the origin of the journal's times, to the microsecond
	Expires  time.Time // to the millisecond
	Requests int       // journaled so far
	Settings []byte    // the exam's own, as JSON
}

// ExamEntry is one journaled request.
type ExamEntry struct {
	Seq    int    // its place among the run's requests, from 1
	Check  string // the check it was made to
	N      int    // its place among the check's requests, from 1
	Record []byte // what the exam keeps of it, JSON
}

var (
	// ErrRunNotFound: no such run, or it has expired.
	ErrRunNotFound = errors.New("exam: no such run")
	// ErrRunFull: the run has journaled as many requests as it may.
	ErrRunFull = errors.New("exam: the run's journal is full")
	// ErrTooManyRuns: as many runs as allowed have not expired yet.
	ErrTooManyRuns = errors.New("exam: too many runs")
)

// Exams stores the client exam's runs and journals. Every method is safe
// for concurrent use, and for several processes sharing one database where
// the implementation allows it. Times are given by the caller, whose clock
// decides what has expired.
type Exams interface {
	// CreateExamRun stores a new run, unless maxRuns (0: no limit) runs
	// that expire after r.Started are stored already: ErrTooManyRuns.
	CreateExamRun(ctx context.Context, r ExamRun, maxRuns int) error
	// ExamRun returns the run, or ErrRunNotFound when it is missing or has
	// expired at now.
	ExamRun(ctx context.Context, id string, now time.Time) (ExamRun, error)
	// AppendExamEntry journals one request to check in the run, in one
	// transaction that also checks the run: ErrRunNotFound when it is
	// missing or has expired at now, ErrRunFull when it has journaled
	// maxRequests requests already (exact however many append at once).
	// record makes the entry's record from its N and the run's Started;
	// it runs inside the transaction and must be quick. A database at its size cap is
	// ErrStorageFull.
	AppendExamEntry(ctx context.Context, run, check string, now time.Time, maxRequests int,
		record func(n int, started time.Time) ([]byte, error)) (ExamEntry, error)
	// ExamEntries returns the run's journal by Seq.
	ExamEntries(ctx context.Context, run string) ([]ExamEntry, error)
	// SweepExamRuns removes the runs expired at now, with their journals,
	// and returns how many went.
	SweepExamRuns(ctx context.Context, now time.Time) (int, error)
}

// examEntryOverhead is about what a journal row costs in a database file
// beyond its record: its keys, numbers and the B-tree's share. Package
// exam's TestJournalGrowth checks the sum against a file filled with the
// longest records a client can cause.
const examEntryOverhead = 200

// ExamSizeFor is the room (for OpenSQLiteMax, on top of SQLiteSizeFor) that
// maxRuns full runs of maxRequests requests of recordBytes each take, so
// that the exam's journals never crowd out the lab's articles.
func ExamSizeFor(maxRuns, maxRequests, recordBytes int) int64 {
	return int64(maxRuns) * int64(maxRequests) * int64(recordBytes+examEntryOverhead)
}
