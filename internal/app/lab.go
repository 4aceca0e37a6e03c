package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/teapothq/teapot/internal/lab"
	"github.com/teapothq/teapot/internal/lab/store"
)

// openLabStore opens the conflict lab's store: PostgreSQL with
// --database-url, else SQLite in memory (--lab-memory) or in
// --data-dir/lab.db.
func (c *Config) openLabStore() (store.Store, error) {
	if c.DatabaseURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		s, err := store.OpenPostgres(ctx, c.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("--database-url: %w", err)
		}
		return s, nil
	}
	if c.LabMemory {
		return store.OpenSQLite(":memory:")
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	s, err := store.OpenSQLite(filepath.Join(c.DataDir, "lab.db"))
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

// newLab opens the lab's store and makes the lab on it.
func (c *Config) newLab(log *slog.Logger) (*lab.Lab, store.Store, error) {
	st, err := c.openLabStore()
	if err != nil {
		return nil, nil, err
	}
	l := lab.New(lab.Options{Store: st, MaxArticles: c.LabMaxArticles,
		MaxBody: c.LabMaxBody, TTL: c.LabTTL, Log: log})
	return l, st, nil
}
