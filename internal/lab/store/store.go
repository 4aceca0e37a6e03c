package store

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	// ErrNoSandbox: the sandbox does not exist, and the Create was not
	// allowed to make it (Limits.NewSandbox).
	ErrNoSandbox = errors.New("articles: no such sandbox")
	// ErrTooManySandboxes: the store holds Limits.Sandboxes sandboxes, so
	// a new one cannot be made.
	ErrTooManySandboxes = errors.New("articles: too many sandboxes")
	// ErrStorageFull: the change would take the stored bytes past
	// Limits.Bytes, or the database itself is full (SQLite's size cap).
	ErrStorageFull = errors.New("articles: storage full")
)

// Limits bound what a write may add. Zero means no limit.
type Limits struct {
	Articles  int   // articles one sandbox may hold
	Sandboxes int   // sandboxes in all
	Bytes     int64 // the Size of every article together
	// NewSandbox lets Create make its sandbox; without it, a Create in a
	// sandbox that does not exist fails with ErrNoSandbox. The caller
	// decides whether this client may make one more.
	NewSandbox bool
}

// ArticleOverhead is what Size adds to an article's text for the rest of
// its row: its sandbox, state, numbers and the database's bookkeeping.
// Counting it makes a flood of empty articles cost something.
const ArticleOverhead = 64

// Size is the bytes an article with these fields counts for against
// Limits.Bytes: its slug, title and body, and ArticleOverhead.
func Size(f Fields) int64 {
	return int64(len(f.Slug)+len(f.Title)+len(f.Body)) + ArticleOverhead
}

// Usage is what a store holds.
type Usage struct {
	Sandboxes int
	Bytes     int64 // the Size of every article together
}

// FirstVisit is how long after its creation a sandbox's use counts as
// part of its first visit: one used no later than this is little used.
const FirstVisit = time.Minute

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
// is created in it, and only then: reading or touching an unknown sandbox
// writes nothing.
type Store interface {
	// Create adds an article with version 1 and touches the sandbox,
	// making it if lim.NewSandbox allows. Errors, in this order:
	// ErrNoSandbox, ErrTooManySandboxes, ErrTooMany (exact however many
	// Creates race), ErrStorageFull, *DuplicateSlugError.
	Create(ctx context.Context, sandbox string, f Fields, lim Limits) (Article, error)
	// Get returns one article or ErrNotFound.
	Get(ctx context.Context, sandbox string, id int64) (Article, error)
	// List returns the sandbox's articles by ID.
	List(ctx context.Context, sandbox string) ([]Article, error)
	// Update replaces the article's fields if its stored version is
	// version, in one compare-and-set statement, and returns it at
	// version+1. Errors: ErrNotFound, *StaleError (with the current
	// article), ErrStorageFull (a change that grows the article past
	// maxBytes in all; one that does not grow it is always allowed),
	// *DuplicateSlugError (only when the version matched).
	Update(ctx context.Context, sandbox string, id, version int64, f Fields, maxBytes int64) (Article, error)
	// Delete removes the article if its stored version is version.
	// Errors: ErrNotFound, *StaleError.
	Delete(ctx context.Context, sandbox string, id, version int64) error
	// Touch records that the sandbox was used at now. An unknown sandbox
	// stays unknown.
	Touch(ctx context.Context, sandbox string, now time.Time) error
	// Expire removes sandboxes (and their articles) last used before
	// unused, and the little-used ones last used before idle: those that
	// hold no article, or were last used within FirstVisit of their
	// creation. It returns how many sandboxes went. idle is not before
	// unused.
	Expire(ctx context.Context, unused, idle time.Time) (int, error)
	// Usage counts the sandboxes and the stored bytes.
	Usage(ctx context.Context) (Usage, error)
	// Close releases the database.
	Close() error
}

// orMax is n, or the largest int64 for 0 (no limit), for a comparison in
// SQL.
func orMax(n int64) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return n
}
