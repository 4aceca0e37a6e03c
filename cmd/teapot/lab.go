package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/teapothq/teapot/internal/articles"
	"github.com/teapothq/teapot/internal/lab"
	"github.com/teapothq/teapot/internal/server"
)

// openLabStore opens the conflict lab's store: PostgreSQL with
// --database-url, else SQLite in memory (--lab-memory) or in
// --data-dir/lab.db.
func (c *config) openLabStore() (articles.Store, error) {
	if c.DatabaseURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		s, err := articles.OpenPostgres(ctx, c.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("--database-url: %w", err)
		}
		return s, nil
	}
	if c.LabMemory {
		return articles.OpenSQLite(":memory:")
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	s, err := articles.OpenSQLite(filepath.Join(c.DataDir, "lab.db"))
	if err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	return s, nil
}

// labStore names the lab's store for the log, without a password.
func (c *config) labStore() string {
	switch {
	case c.DatabaseURL != "":
		return "postgresql"
	case c.LabMemory:
		return "sqlite in memory"
	}
	return "sqlite " + filepath.Join(c.DataDir, "lab.db")
}

// newLab opens the lab's store and makes the lab on it.
func (c *config) newLab(log *slog.Logger) (*lab.Lab, articles.Store, error) {
	store, err := c.openLabStore()
	if err != nil {
		return nil, nil, err
	}
	l := lab.New(lab.Options{BasePath: c.BasePath, Store: store, MaxArticles: c.LabMaxArticles,
		MaxBody: c.LabMaxBody, TTL: c.LabTTL, Log: log})
	return l, store, nil
}

// startLab runs the lab's sweep while srv serves and closes its store
// after.
func startLab(srv *server.Server, l *lab.Lab, store articles.Store, ttl time.Duration) {
	srv.Go(func(ctx context.Context) { l.Expire(ctx, min(ttl/10, 10*time.Minute)) })
	srv.OnClose(store.Close)
}
