package store_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
)

// examStore is a store with the exam's tables, closed by t.Cleanup.
type examStore interface {
	store.Store
	store.Exams
}

func TestExamSQLite(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		testExams(t, func(t *testing.T) examStore { return openSQLite(t, ":memory:") })
	})
	t.Run("file", func(t *testing.T) {
		testExams(t, func(t *testing.T) examStore { return openSQLite(t, filepath.Join(t.TempDir(), "lab.db")) })
	})
}

func TestExamPostgres(t *testing.T) {
	pgtest.URL(t) // skip (or fail) the whole test without PostgreSQL
	testExams(t, func(t *testing.T) examStore { return openPostgres(t, pgtest.URL(t)) })
}

// testExams is the conformance suite of the exam's storage.
func testExams(t *testing.T, open func(t *testing.T) examStore) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, s examStore)
	}{
		{"CreateGet", testExamCreateGet},
		{"Expired", testExamExpired},
		{"Numbering", testExamNumbering},
		{"Cap", testExamCap},
		{"ConcurrentCap", testExamConcurrentCap},
		{"MaxRuns", testExamMaxRuns},
		{"Sweep", testExamSweep},
		{"RecordError", testExamRecordError},
		{"Metacharacters", testExamMetacharacters},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t))
		})
	}
}

// t0 is a start time with microseconds, which the stores keep.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)

func newRun(t *testing.T, s store.Exams, id string, started time.Time) store.ExamRun {
	t.Helper()
	r := store.ExamRun{ID: id, Started: started, Expires: started.Add(time.Hour), Settings: []byte(`{"tolerance_ms":150}`)}
	if err := s.CreateExamRun(t.Context(), r, 0); err != nil {
		t.Fatalf("CreateExamRun(%q): %v", id, err)
	}
	return r
}

func appendEntry(t *testing.T, s store.Exams, run, check string, now time.Time, max int) (store.ExamEntry, error) {
	t.Helper()
	return s.AppendExamEntry(t.Context(), run, check, now, max, func(n int, started time.Time) ([]byte, error) {
		if !started.Equal(t0) && !started.Equal(t0.Add(30*time.Minute)) {
			t.Errorf("record got the run's start %v", started)
		}
		return fmt.Appendf(nil, `{"n":%d}`, n), nil
	})
}

func testExamCreateGet(t *testing.T, s examStore) {
	want := newRun(t, s, "run-1", t0)
	got, err := s.ExamRun(t.Context(), "run-1", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Started.Equal(want.Started) || !got.Expires.Equal(want.Expires.Truncate(time.Millisecond)) || got.ID != want.ID ||
		string(got.Settings) != string(want.Settings) || got.Requests != 0 {
		t.Errorf("ExamRun = %+v, want %+v", got, want)
	}
	if _, err := s.ExamRun(t.Context(), "run-2", t0); !errors.Is(err, store.ErrRunNotFound) {
		t.Errorf("an unknown run: %v, want ErrRunNotFound", err)
	}
	if err := s.CreateExamRun(t.Context(), want, 0); err == nil {
		t.Error("a second run with the same id was stored")
	}
}

func testExamExpired(t *testing.T, s examStore) {
	r := newRun(t, s, "run", t0)
	if _, err := s.ExamRun(t.Context(), r.ID, r.Expires); !errors.Is(err, store.ErrRunNotFound) {
		t.Errorf("ExamRun at its expiry: %v, want ErrRunNotFound", err)
	}
	if _, err := appendEntry(t, s, r.ID, "c", r.Expires, 0); !errors.Is(err, store.ErrRunNotFound) {
		t.Errorf("AppendExamEntry at its expiry: %v, want ErrRunNotFound", err)
	}
	if _, err := appendEntry(t, s, "nothing", "c", t0, 0); !errors.Is(err, store.ErrRunNotFound) {
		t.Errorf("AppendExamEntry to an unknown run: %v, want ErrRunNotFound", err)
	}
}

func testExamNumbering(t *testing.T, s examStore) {
	newRun(t, s, "a", t0)
	newRun(t, s, "b", t0)
	for i, c := range []string{"x", "y", "x", "x", "y"} {
		e, err := appendEntry(t, s, "a", c, t0.Add(time.Duration(i)*time.Second), 10)
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != i+1 {
			t.Errorf("entry %d: Seq %d", i+1, e.Seq)
		}
	}
	if _, err := appendEntry(t, s, "b", "x", t0, 10); err != nil {
		t.Fatal(err)
	}
	got, err := s.ExamEntries(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range got {
		seen = append(seen, fmt.Sprintf("%d:%s%d:%s", e.Seq, e.Check, e.N, e.Record))
	}
	want := []string{`1:x1:{"n":1}`, `2:y1:{"n":1}`, `3:x2:{"n":2}`, `4:x3:{"n":3}`, `5:y2:{"n":2}`}
	if !slices.Equal(seen, want) {
		t.Errorf("ExamEntries = %v, want %v (run b's entry apart)", seen, want)
	}
	if r, _ := s.ExamRun(t.Context(), "a", t0); r.Requests != 5 {
		t.Errorf("Requests = %d, want 5", r.Requests)
	}
	if e, _ := s.ExamEntries(t.Context(), "nothing"); e == nil || len(e) != 0 {
		t.Errorf("entries of an unknown run: %#v, want an empty list", e)
	}
}

func testExamCap(t *testing.T, s examStore) {
	newRun(t, s, "run", t0)
	for i := range 3 {
		if _, err := appendEntry(t, s, "run", "c", t0, 3); err != nil {
			t.Fatalf("append %d of 3: %v", i+1, err)
		}
	}
	if _, err := appendEntry(t, s, "run", "c", t0, 3); !errors.Is(err, store.ErrRunFull) {
		t.Errorf("a fourth append with a cap of 3: %v, want ErrRunFull", err)
	}
	if e, _ := s.ExamEntries(t.Context(), "run"); len(e) != 3 {
		t.Errorf("%d entries kept, want 3", len(e))
	}
}

// testExamConcurrentCap: the cap, N and Seq are exact however many append
// at once.
func testExamConcurrentCap(t *testing.T, s examStore) {
	newRun(t, s, "run", t0)
	const writers, each, limit = 8, 10, 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, full := 0, 0
	for w := range writers {
		wg.Go(func() {
			for range each {
				_, err := appendEntry(t, s, "run", fmt.Sprint("c", w%3), t0, limit)
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrRunFull):
					full++
				default:
					t.Error(err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != limit || full != writers*each-limit {
		t.Errorf("%d appended and %d refused, want %d and %d", ok, full, limit, writers*each-limit)
	}
	entries, err := s.ExamEntries(t.Context(), "run")
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]int{}
	for i, e := range entries {
		next[e.Check]++
		if e.Seq != i+1 {
			t.Errorf("entry %d has Seq %d", i+1, e.Seq)
		}
		if e.N != next[e.Check] {
			t.Errorf("entry %d of %s has N %d, want %d", i+1, e.Check, e.N, next[e.Check])
		}
	}
}

func testExamMaxRuns(t *testing.T, s examStore) {
	old := store.ExamRun{ID: "old", Started: t0.Add(-2 * time.Hour), Expires: t0.Add(-time.Hour), Settings: []byte("{}")}
	if err := s.CreateExamRun(t.Context(), old, 2); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if err := s.CreateExamRun(t.Context(), store.ExamRun{ID: id, Started: t0, Expires: t0.Add(time.Hour), Settings: []byte("{}")}, 2); err != nil {
			t.Fatalf("run %s of 2 (an expired one beside): %v", id, err)
		}
	}
	err := s.CreateExamRun(t.Context(), store.ExamRun{ID: "c", Started: t0, Expires: t0.Add(time.Hour), Settings: []byte("{}")}, 2)
	if !errors.Is(err, store.ErrTooManyRuns) {
		t.Errorf("a third run with a cap of 2: %v, want ErrTooManyRuns", err)
	}
}

func testExamSweep(t *testing.T, s examStore) {
	newRun(t, s, "early", t0)
	newRun(t, s, "late", t0.Add(30*time.Minute))
	for _, id := range []string{"early", "late"} {
		if _, err := appendEntry(t, s, id, "c", t0.Add(time.Minute), 0); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.SweepExamRuns(t.Context(), t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("SweepExamRuns an hour after the first started = %d, %v; want 1", n, err)
	}
	if e, _ := s.ExamEntries(t.Context(), "early"); len(e) != 0 {
		t.Errorf("the swept run's journal kept %d entries", len(e))
	}
	if e, _ := s.ExamEntries(t.Context(), "late"); len(e) != 1 {
		t.Errorf("the other run's journal has %d entries, want 1", len(e))
	}
}

func testExamRecordError(t *testing.T, s examStore) {
	newRun(t, s, "run", t0)
	boom := errors.New("boom")
	_, err := s.AppendExamEntry(t.Context(), "run", "c", t0, 0, func(int, time.Time) ([]byte, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Errorf("AppendExamEntry = %v, want the record's error", err)
	}
	if r, _ := s.ExamRun(t.Context(), "run", t0); r.Requests != 0 {
		t.Errorf("a failed append counted: Requests = %d", r.Requests)
	}
}

func testExamMetacharacters(t *testing.T, s examStore) {
	id := `run'; DROP TABLE exam_runs; --"`
	newRun(t, s, id, t0)
	check := "c\"'\\%_\u00e9\U0001F375"
	rec := `{"ua":"x'\"; DELETE FROM exam_entries; --","s":"\u00e9"}`
	if _, err := s.AppendExamEntry(t.Context(), id, check, t0, 0, func(int, time.Time) ([]byte, error) { return []byte(rec), nil }); err != nil {
		t.Fatal(err)
	}
	e, err := s.ExamEntries(t.Context(), id)
	if err != nil || len(e) != 1 || e[0].Check != check || string(e[0].Record) != rec {
		t.Errorf("ExamEntries = %+v, %v; want the one entry as written", e, err)
	}
}
