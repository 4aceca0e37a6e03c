package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// State is where an article is in its life. The stores accept only the
// three below (a database CHECK constraint): callers validate first.
type State string

const (
	Draft     State = "draft"
	Published State = "published"
	Archived  State = "archived"
)

// Article is one stored article. Version starts at 1 and grows by one
// with every change.
type Article struct {
	ID      int64
	Slug    string
	Title   string
	Body    string
	State   State
	Version int64
	Created time.Time // UTC, truncated to the second
	Updated time.Time // UTC, truncated to the second
}

// Fields are what a client may set: on create all of them, on update the
// whole new content. An empty State is Draft, on update too.
type Fields struct {
	Slug  string
	Title string
	Body  string
	State State
}

var (
	// ErrNotFound: no such article in this sandbox.
	ErrNotFound = errors.New("articles: not found")
	// ErrTooMany: the sandbox already holds its maximum of articles.
	ErrTooMany = errors.New("articles: too many articles in this sandbox")
)

// DuplicateSlugError: another article in the sandbox has the slug.
type DuplicateSlugError struct {
	Slug     string
	Existing int64 // the ID of the article that has it
}

func (e *DuplicateSlugError) Error() string {
	return fmt.Sprintf("articles: slug %q is taken by article %d", e.Slug, e.Existing)
}

// StaleError: the version given is not the stored one. Current is the
// stored article as it is now.
type StaleError struct {
	Current Article
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("articles: article %d is at version %d", e.Current.ID, e.Current.Version)
}

// Store keeps articles. Every method is safe for concurrent use, and for
// use by several processes sharing one database where the implementation
// allows it. Sandbox is an opaque token; a sandbox exists once something
// is created in it or it is touched.
type Store interface {
	// Create adds an article with version 1 and touches the sandbox
	// (creating it). It returns ErrTooMany when the sandbox holds max
	// articles (exactly, however many Creates race), else
	// *DuplicateSlugError when the slug is taken.
	Create(ctx context.Context, sandbox string, f Fields, max int) (Article, error)
	// Get returns one article or ErrNotFound.
	Get(ctx context.Context, sandbox string, id int64) (Article, error)
	// List returns the sandbox's articles by ID.
	List(ctx context.Context, sandbox string) ([]Article, error)
	// Update replaces the article's fields if its stored version is
	// version, in one compare-and-set statement, and returns it at
	// version+1. Errors: ErrNotFound, *StaleError (with the current
	// article), *DuplicateSlugError (only when the version matched).
	Update(ctx context.Context, sandbox string, id, version int64, f Fields) (Article, error)
	// Delete removes the article if its stored version is version.
	// Errors: ErrNotFound, *StaleError.
	Delete(ctx context.Context, sandbox string, id, version int64) error
	// Touch records that the sandbox was used at now.
	Touch(ctx context.Context, sandbox string, now time.Time) error
	// Expire removes the sandboxes (and their articles) last used before
	// cutoff, and returns how many sandboxes went.
	Expire(ctx context.Context, cutoff time.Time) (int, error)
	// Close releases the database.
	Close() error
}
