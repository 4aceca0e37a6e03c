package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// withDefaults fills what a client may leave out: an empty State is Draft.
func (f Fields) withDefaults() Fields {
	if f.State == "" {
		f.State = Draft
	}
	return f
}

// whyNot explains a compare-and-set that changed no row, from the article
// as read afterwards: gone (ErrNotFound) or at another version
// (*StaleError). Versions only grow and IDs are never reused, so a row
// that is there has moved past the version asked for.
func whyNot(current Article, err error) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrNotFound
	case err != nil:
		return err
	}
	return &StaleError{Current: current}
}

// errOwnerGone: a unique violation named a slug whose holder was deleted
// before it could be looked up. The operation is worth another try: it
// either succeeds or meets, and names, the new holder.
var errOwnerGone = errors.New("articles: the article holding the slug went away")

// duplicate builds the *DuplicateSlugError for slug from a query for the
// ID of the article that holds it (sql.Row or pgx.Row, whose ErrNoRows
// matches sql.ErrNoRows).
func duplicate(owner interface{ Scan(...any) error }, slug string) error {
	var id int64
	switch err := owner.Scan(&id); {
	case errors.Is(err, sql.ErrNoRows):
		return errOwnerGone
	case err != nil:
		return fmt.Errorf("find the article with slug %q: %w", slug, err)
	}
	return &DuplicateSlugError{Slug: slug, Existing: id}
}

// retryOwnerGone runs op until it ends other than with errOwnerGone, a few
// times at most: each retry needs a concurrent delete to lose again.
func retryOwnerGone(op func() (Article, error)) (Article, error) {
	var err error
	for range 5 {
		var a Article
		if a, err = op(); !errors.Is(err, errOwnerGone) {
			return a, err
		}
	}
	return Article{}, err
}

// whyNotUpdated is whyNot for an update, which its size may also have
// refused: an article still at the version asked for was refused for that.
func whyNotUpdated(version int64, current Article, err error) error {
	err = whyNot(current, err)
	var stale *StaleError
	if errors.As(err, &stale) && stale.Current.Version == version {
		return ErrStorageFull
	}
	return err
}
