package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/lab"
	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/ratelimit"
)

// database is the lab's store, which also keeps the client exam's runs.
type database interface {
	store.Store
	store.Exams
}

// openLabStore opens the conflict lab's store: PostgreSQL with
// --database-url, else SQLite in memory (--lab-memory) or in
// --data-dir/lab.db, capped at a size that holds --lab-max-bytes in
// --lab-max-sandboxes with room to spare, and the client exam's journals
// at their bounds beside them.
func (c *Config) openLabStore() (database, error) {
	if c.DatabaseURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		s, err := store.OpenPostgres(ctx, c.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("--database-url: %w", err)
		}
		return s, nil
	}
	size := store.SQLiteSizeFor(c.LabMaxBytes, c.LabMaxSandboxes) +
		store.ExamSizeFor(c.ExamMaxRuns, c.ExamMaxRequests, exam.RecordBytes)
	if c.LabMemory {
		return store.OpenSQLiteMax(":memory:", size)
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	s, err := store.OpenSQLiteMax(filepath.Join(c.DataDir, "lab.db"), size)
	if err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	return s, nil
}

// labStore names the lab's store for the log, without a password.
func (c *Config) labStore() string {
	switch {
	case c.DatabaseURL != "":
		return "postgresql"
	case c.LabMemory:
		return "sqlite in memory"
	}
	return "sqlite " + filepath.Join(c.DataDir, "lab.db")
}

// newLab opens the lab's store and makes the lab on it, counting new
// sandboxes by the client policy's key.
func (c *Config) newLab(log *slog.Logger, policy *clientip.Policy, shared *ratelimit.Redis) (*lab.Lab, database, error) {
	st, err := c.openLabStore()
	if err != nil {
		return nil, nil, err
	}
	l := lab.New(lab.Options{Store: st, MaxArticles: c.LabMaxArticles, MaxBody: c.LabMaxBody, TTL: c.LabTTL,
		MaxSandboxes: c.LabMaxSandboxes, MaxBytes: c.LabMaxBytes, NewSandboxesPerHour: c.LabSandboxesPerHour,
		ClientAddr: policy.Key, PublicURL: c.PublicURL, Log: log, Shared: shared})
	return l, st, nil
}
