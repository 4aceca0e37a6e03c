package lab

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/respond"
)

// problem is an error answer before the base path and instance are known.
// typ is a path below the base path: "/guides/stale-etag", or "" for the
// status code's own page.
type problem struct {
	status int
	typ    string
	title  string
	detail string
	extra  map[string]any
	cause  error // behind a 500, logged
}

func (p *problem) Error() string { return p.title + ": " + p.detail }

func (l *Lab) problem(w http.ResponseWriter, r *http.Request, p *problem) {
	respond.Fail(w, r, l.opts.Log, &respond.Problem{Type: p.typ, Title: p.title, Status: p.status,
		Detail: p.detail, Extra: p.extra, Cause: p.cause})
}

// fail answers err: a *problem as it is, a store error as a 500 that is
// logged.
func (l *Lab) fail(w http.ResponseWriter, r *http.Request, err error) {
	var p *problem
	if errors.As(err, &p) {
		l.problem(w, r, p)
		return
	}
	l.problem(w, r, &problem{status: http.StatusInternalServerError, title: "Internal Server Error",
		detail: "The lab's database failed; nothing was changed by this request. Try again in a moment.", cause: err})
}

// fieldError is one problem with one member of a request body.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func badRequest(detail string, errs []fieldError) *problem {
	p := &problem{status: http.StatusBadRequest, title: "Bad Request", detail: detail}
	if len(errs) > 0 {
		p.extra = map[string]any{"errors": errs}
	}
	return p
}

func notFound(id string) *problem {
	return &problem{status: http.StatusNotFound, title: "Not Found",
		detail: "There is no article " + strconv.Quote(id) + " in this sandbox. Articles live in the sandbox that created them (the Lab-Sandbox header or the teapot_lab cookie), and sandboxes expire when unused."}
}

func (l *Lab) preconditionRequired(a store.Article) *problem {
	return &problem{status: http.StatusPreconditionRequired, typ: "/guides/missing-precondition",
		title:  "Precondition Required",
		detail: "Changing an article needs a precondition, so that no one's edit is silently overwritten: send If-Match with the ETag you read (now " + etag(a.Version) + "), or If-Unmodified-Since, or the \"version\" you read in the body.",
		extra:  map[string]any{"current_version": a.Version, "current_etag": etag(a.Version)}}
}

func (l *Lab) stale(r *http.Request, a store.Article, why string) *problem {
	return &problem{status: http.StatusPreconditionFailed, typ: "/guides/stale-etag", title: "Precondition Failed",
		detail: why + " The article is now at version " + strconv.FormatInt(a.Version, 10) + " (ETag " + etag(a.Version) + "); \"current\" holds it as it is now. Merge your change into it and send it again with If-Match: " + etag(a.Version) + ".",
		extra:  map[string]any{"current_version": a.Version, "current_etag": etag(a.Version), "current": l.represent(r, a)}}
}

func (l *Lab) editConflict(r *http.Request, a store.Article, yours int64) *problem {
	return &problem{status: http.StatusConflict, typ: "/guides/edit-conflict", title: "Conflict",
		detail: "You edited version " + strconv.FormatInt(yours, 10) + ", but the article is now at version " + strconv.FormatInt(a.Version, 10) + ": someone changed it after you read it. \"current\" holds it as it is now; merge your change into it and send it again with \"version\": " + strconv.FormatInt(a.Version, 10) + ".",
		extra: map[string]any{"your_version": yours, "current_version": a.Version, "current_etag": etag(a.Version),
			"current": l.represent(r, a)}}
}

func (l *Lab) duplicate(r *http.Request, e *store.DuplicateSlugError) *problem {
	url := l.articleURL(r, e.Existing)
	return &problem{status: http.StatusConflict, typ: "/guides/duplicate-key", title: "Conflict",
		detail: "The slug " + strconv.Quote(e.Slug) + " is taken by another article in this sandbox (" + url + "). Choose another slug, or edit that article instead.",
		extra:  map[string]any{"slug": e.Slug, "existing": url, "existing_id": e.Existing}}
}

func (l *Lab) illegalTransition(r *http.Request, a store.Article, name string) *problem {
	allowed, links := l.transitionsFrom(r, a)
	detail := "The article is " + string(a.State) + ", so it cannot " + name + "."
	if len(allowed) > 0 {
		detail += " From " + string(a.State) + " it can: " + joinNames(allowed) + "."
	}
	return &problem{status: http.StatusConflict, typ: "/guides/illegal-transition", title: "Conflict", detail: detail,
		extra: map[string]any{"state": a.State, "allowed": allowed, "transitions": links,
			"current_version": a.Version, "current_etag": etag(a.Version)}}
}

func (l *Lab) sandboxFull() *problem {
	return &problem{status: http.StatusConflict, typ: "/lab#limits", title: "Conflict",
		detail: "This sandbox already holds " + strconv.Itoa(l.opts.MaxArticles) + " articles, the most it may. Delete one, then create this one again.",
		extra:  map[string]any{"limit": l.opts.MaxArticles}}
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
