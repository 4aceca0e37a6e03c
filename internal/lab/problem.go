package lab

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/respond"
)

// Every error answer of the lab is a *respond.Problem. Its Type is a path
// below the base path ("/guides/stale-etag"), or "" for the status code's
// own page; respond.Fail makes links of it and of the instance.

// handle adapts a lab handler: respond.Handle writes the problem it
// returns, after fail has turned a store's error into one.
func (l *Lab) handle(h respond.HandlerFunc) http.HandlerFunc {
	return respond.Handle(l.opts.Log, func(w http.ResponseWriter, r *http.Request) error {
		if err := h(w, r); err != nil {
			return l.fail(w, r, err)
		}
		return nil
	})
}

// fail is the one table from the errors a handler meets to the problems
// that answer them: a *respond.Problem as it is, the store's errors as
// their problems, and anything else as a 500 whose cause respond logs.
func (l *Lab) fail(w http.ResponseWriter, r *http.Request, err error) *respond.Problem {
	var p *respond.Problem
	var dup *store.DuplicateSlugError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &dup):
		return l.duplicate(r, dup)
	case errors.Is(err, store.ErrNotFound):
		return notFound(r.PathValue("id"))
	case errors.Is(err, store.ErrTooMany):
		return l.sandboxFull()
	case errors.Is(err, store.ErrTooManySandboxes):
		return l.labFull(w)
	case errors.Is(err, store.ErrStorageFull):
		return l.storageFull(w)
	}
	return &respond.Problem{Status: http.StatusInternalServerError, Title: "Internal Server Error",
		Detail: "The lab's database failed; nothing was changed by this request. Try again in a moment.", Cause: err}
}

// fieldError is one problem with one member of a request body.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func badRequest(detail string, errs []fieldError) *respond.Problem {
	p := &respond.Problem{Status: http.StatusBadRequest, Title: "Bad Request", Detail: detail}
	if len(errs) > 0 {
		p.Extra = map[string]any{"errors": errs}
	}
	return p
}

func notFound(id string) *respond.Problem {
	return &respond.Problem{Status: http.StatusNotFound, Title: "Not Found",
		Detail: "There is no article " + strconv.Quote(id) + " in this sandbox. Articles live in the sandbox that created them (the Lab-Sandbox header or the teapot_lab cookie), and sandboxes expire when unused."}
}

func (l *Lab) preconditionRequired(a store.Article) *respond.Problem {
	return &respond.Problem{Status: http.StatusPreconditionRequired, Type: "/guides/missing-precondition",
		Title:  "Precondition Required",
		Detail: "Changing an article needs a precondition, so that no one's edit is silently overwritten: send If-Match with the ETag you read (now " + etag(a.Version) + "), or If-Unmodified-Since, or the \"version\" you read in the body.",
		Extra:  map[string]any{"current_version": a.Version, "current_etag": etag(a.Version)}}
}

func (l *Lab) stale(r *http.Request, a store.Article, why string) *respond.Problem {
	return &respond.Problem{Status: http.StatusPreconditionFailed, Type: "/guides/stale-etag", Title: "Precondition Failed",
		Detail: why + " The article is now at version " + strconv.FormatInt(a.Version, 10) + " (ETag " + etag(a.Version) + "); \"current\" holds it as it is now. Merge your change into it and send it again with If-Match: " + etag(a.Version) + ".",
		Extra:  map[string]any{"current_version": a.Version, "current_etag": etag(a.Version), "current": l.represent(r, a)}}
}

func (l *Lab) editConflict(r *http.Request, a store.Article, yours int64) *respond.Problem {
	return &respond.Problem{Status: http.StatusConflict, Type: "/guides/edit-conflict", Title: "Conflict",
		Detail: "You edited version " + strconv.FormatInt(yours, 10) + ", but the article is now at version " + strconv.FormatInt(a.Version, 10) + ": someone changed it after you read it. \"current\" holds it as it is now; merge your change into it and send it again with \"version\": " + strconv.FormatInt(a.Version, 10) + ".",
		Extra: map[string]any{"your_version": yours, "current_version": a.Version, "current_etag": etag(a.Version),
			"current": l.represent(r, a)}}
}

func (l *Lab) duplicate(r *http.Request, e *store.DuplicateSlugError) *respond.Problem {
	url := l.articleURL(r, e.Existing)
	return &respond.Problem{Status: http.StatusConflict, Type: "/guides/duplicate-key", Title: "Conflict",
		Detail: "The slug " + strconv.Quote(e.Slug) + " is taken by another article in this sandbox (" + url + "). Choose another slug, or edit that article instead.",
		Extra:  map[string]any{"slug": e.Slug, "existing": url, "existing_id": e.Existing}}
}

func (l *Lab) illegalTransition(r *http.Request, a store.Article, name string) *respond.Problem {
	allowed, links := l.transitionsFrom(r, a)
	detail := "The article is " + string(a.State) + ", so it cannot " + name + "."
	if len(allowed) > 0 {
		detail += " From " + string(a.State) + " it can: " + joinNames(allowed) + "."
	}
	return &respond.Problem{Status: http.StatusConflict, Type: "/guides/illegal-transition", Title: "Conflict", Detail: detail,
		Extra: map[string]any{"state": a.State, "allowed": allowed, "transitions": links,
			"current_version": a.Version, "current_etag": etag(a.Version)}}
}

func (l *Lab) sandboxFull() *respond.Problem {
	return &respond.Problem{Status: http.StatusConflict, Type: "/lab#limits", Title: "Conflict",
		Detail: "This sandbox already holds " + strconv.Itoa(l.opts.MaxArticles) + " articles, the most it may. Delete one, then create this one again.",
		Extra:  map[string]any{"limit": l.opts.MaxArticles}}
}

// tooManyNewSandboxes answers a client that has made its share of new
// sandboxes, with how long until it may make one more.
func (l *Lab) tooManyNewSandboxes(w http.ResponseWriter, wait time.Duration) *respond.Problem {
	secs := respond.RetryAfter(w, wait)
	return &respond.Problem{Status: http.StatusTooManyRequests, Type: "/lab#limits", Title: "Too Many Requests",
		Detail: "This address has made " + strconv.Itoa(l.opts.NewSandboxesPerHour) + " new sandboxes in the last hour, the most the lab allows one address. Go on in a sandbox you have (send its Lab-Sandbox token, or keep the teapot_lab cookie), or try again in " + strconv.Itoa(secs) + " s.",
		Extra:  map[string]any{"limit": l.opts.NewSandboxesPerHour}}
}

// labFull answers a new sandbox when the lab holds all it keeps. 503: the
// server cannot take more visitors for now, and will when sandboxes
// expire.
func (l *Lab) labFull(w http.ResponseWriter) *respond.Problem {
	secs := respond.RetryAfter(w, l.sweepInterval())
	return &respond.Problem{Status: http.StatusServiceUnavailable, Type: "/lab#limits", Title: "Service Unavailable",
		Detail: "The lab holds " + strconv.Itoa(l.opts.MaxSandboxes) + " sandboxes, the most it keeps at once, so it cannot start a new one now. Sandboxes expire when unused (empty or little-used ones after " + duration(l.idleTTL()) + "); try again in " + strconv.Itoa(secs) + " s, or go on in a sandbox you have.",
		Extra:  map[string]any{"limit": l.opts.MaxSandboxes}}
}

// storageFull answers a write that would store more than the lab keeps,
// or that its database had no room for. 507 Insufficient Storage (RFC
// 4918) says exactly that, and that the request should not be repeated
// as it is: unlike a 503, the server is not busy, it is full, and a
// smaller change (or a delete) would go through now.
func (l *Lab) storageFull(w http.ResponseWriter) *respond.Problem {
	secs := respond.RetryAfter(w, l.sweepInterval())
	return &respond.Problem{Status: http.StatusInsufficientStorage, Type: "/lab#limits", Title: "Insufficient Storage",
		Detail: "The lab's storage is full: it keeps at most " + strconv.FormatInt(l.opts.MaxBytes, 10) + " bytes of articles in all, and this change needs more. Nothing was changed. Shrink or delete an article, or try again in " + strconv.Itoa(secs) + " s, as unused sandboxes expire.",
		Extra:  map[string]any{"limit": l.opts.MaxBytes}}
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			s += " or "
		default:
			s += ", "
		}
		s += n
	}
	return s
}
