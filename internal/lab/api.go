package lab

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/respond"
)

// maxAttempts bounds the compare-and-set retries of a change that may be
// applied to whatever version is current (If-Match: *, a transition
// without If-Match).
const maxAttempts = 8

func (l *Lab) serveList(w http.ResponseWriter, r *http.Request) error {
	sb, err := l.sandbox(w, r)
	if err != nil {
		return err
	}
	list, err := l.opts.Store.List(r.Context(), sb)
	if err != nil {
		return err
	}
	if len(list) > 0 { // an empty or unknown sandbox is not worth keeping
		l.touch(r.Context(), sb)
	}
	out := make([]Article, len(list))
	for i, a := range list {
		out[i] = l.represent(r, a)
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	respond.JSON(w, http.StatusOK, map[string]any{"articles": out, "limit": l.opts.MaxArticles})
	return nil
}

func (l *Lab) serveCreate(w http.ResponseWriter, r *http.Request) error {
	sb, err := l.sandbox(w, r)
	if err != nil {
		return err
	}
	data, p := l.readBody(w, r, typeJSON, "Accept-Post")
	if p != nil {
		return p
	}
	in, p := parseInput(data, false)
	if p == nil && (in.version != nil || in.id != nil || in.state != nil && *in.state != string(store.Draft)) {
		p = badRequest("A new article starts as a draft at version 1 and gets its id from the server: send only slug, title and body.", nil)
	}
	var f store.Fields
	if p == nil {
		f, p = l.fields(in, nil)
	}
	if p != nil {
		return p
	}
	a, err := l.opts.Store.Create(r.Context(), sb, f, l.limits(false))
	if errors.Is(err, store.ErrNoSandbox) {
		// The sandbox's first write makes it: count it against the
		// client's share of new sandboxes.
		if ok, wait := l.newSandboxes.Allow(l.opts.ClientAddr(r)); !ok {
			return l.tooManyNewSandboxes(w, wait)
		}
		a, err = l.opts.Store.Create(r.Context(), sb, f, l.limits(true))
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", l.articleURL(r, a.ID))
	l.write(w, r, http.StatusCreated, a)
	return nil
}

// write sends an article with its validators.
func (l *Lab) write(w http.ResponseWriter, r *http.Request, status int, a store.Article) {
	validators(w.Header(), a)
	w.Header().Set("Accept-Patch", typeMergePatch)
	respond.JSON(w, status, l.represent(r, a))
}

// validators sets what a client revalidates an article with.
func validators(h http.Header, a store.Article) {
	h.Set("ETag", etag(a.Version))
	h.Set("Last-Modified", a.Updated.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "private, no-cache")
}

// article is the request's sandbox and the article id from its path.
func (l *Lab) article(w http.ResponseWriter, r *http.Request) (sandbox string, id int64, err error) {
	if sandbox, err = l.sandbox(w, r); err != nil {
		return "", 0, err
	}
	s := r.PathValue("id")
	id, err = strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != s {
		return "", 0, notFound(respond.Truncate(s, 32))
	}
	return sandbox, id, nil
}

func (l *Lab) serveGet(w http.ResponseWriter, r *http.Request) error {
	sb, id, err := l.article(w, r)
	if err != nil {
		return err
	}
	a, err := l.opts.Store.Get(r.Context(), sb, id)
	if err != nil {
		return err
	}
	l.touch(r.Context(), sb)
	if notModified(r, a) {
		validators(w.Header(), a)
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	l.write(w, r, http.StatusOK, a)
	return nil
}

// notModified evaluates If-None-Match, or else If-Modified-Since (RFC 9110
// Section 13.2.2).
func notModified(r *http.Request, a store.Article) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return !respond.NoneMatch(inm, etag(a.Version))
	}
	if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil {
		return !a.Updated.After(ims)
	}
	return false
}

// precondition is what a request says it expects of the stored article.
type precondition struct {
	ifMatch     bool
	any         bool      // If-Match: *
	versions    []int64   // versions the If-Match tags name (0: matches none)
	unmodified  time.Time // If-Unmodified-Since, when there is no If-Match
	bodyVersion int64     // "version" in the body
}

func (p precondition) given() bool {
	return p.ifMatch || !p.unmodified.IsZero() || p.bodyVersion != 0
}

// readPrecondition parses If-Match and If-Unmodified-Since. A malformed
// If-Match is refused rather than guessed at; an invalid date is ignored,
// as RFC 9110 Section 13.1.4 requires.
func readPrecondition(r *http.Request) (precondition, *respond.Problem) {
	var p precondition
	if vs := r.Header.Values("If-Match"); len(vs) > 0 {
		p.ifMatch = true
		for _, v := range vs {
			tags, star, ok := respond.ETags(v)
			if !ok {
				return p, badRequest("If-Match must be \"*\" or a list of entity-tags such as \"v3\", as sent in ETag; it was "+strconv.Quote(respond.Truncate(v, 100))+".", nil)
			}
			p.any = p.any || star
			for _, t := range tags {
				p.versions = append(p.versions, etagVersion(t))
			}
		}
		return p, nil
	}
	if t, err := http.ParseTime(r.Header.Get("If-Unmodified-Since")); err == nil {
		p.unmodified = t
	}
	return p, nil
}

// change applies op to the article under the request's preconditions;
// with required, a request without any precondition gets 428. op runs the
// store's compare-and-set; when that finds the article changed since it
// was read, the preconditions are evaluated again against the article the
// store returned, so a stale client gets its 412 or 409 and a client that
// accepts any version gets its change applied to the newest.
func (l *Lab) change(r *http.Request, sb string, id int64, pre precondition, required bool,
	op func(cur store.Article) (store.Article, error)) (store.Article, error) {
	cur, err := l.opts.Store.Get(r.Context(), sb, id)
	if err != nil {
		return cur, err
	}
	l.touch(r.Context(), sb)
	if required && !pre.given() {
		return cur, l.preconditionRequired(cur)
	}
	for range maxAttempts {
		if p := l.check(r, pre, cur); p != nil {
			return cur, p
		}
		a, err := op(cur)
		var stale *store.StaleError
		if !errors.As(err, &stale) {
			return a, err
		}
		cur = stale.Current
	}
	return store.Article{}, &respond.Problem{Status: http.StatusServiceUnavailable, Title: "Service Unavailable",
		Detail: "The article changed " + strconv.Itoa(maxAttempts) + " times while this request tried to change it. Try again."}
}

// update is the op of change that stores the fields edit makes of the
// current article.
func (l *Lab) update(ctx context.Context, sb string, id int64,
	edit func(cur store.Article) (store.Fields, *respond.Problem)) func(store.Article) (store.Article, error) {
	return func(cur store.Article) (store.Article, error) {
		f, p := edit(cur)
		if p != nil {
			return cur, p
		}
		return l.opts.Store.Update(ctx, sb, id, cur.Version, f, l.opts.MaxBytes)
	}
}

// check evaluates the preconditions against the article as it is.
func (l *Lab) check(r *http.Request, pre precondition, cur store.Article) *respond.Problem {
	switch {
	case pre.ifMatch && !pre.any && !slices.Contains(pre.versions, cur.Version):
		return l.stale(r, cur, "If-Match does not match the article's ETag: it changed after you read it.")
	case !pre.ifMatch && !pre.unmodified.IsZero() && cur.Updated.After(pre.unmodified):
		return l.stale(r, cur, "The article was modified after the time in If-Unmodified-Since.")
	case pre.bodyVersion != 0 && pre.bodyVersion != cur.Version:
		return l.editConflict(r, cur, pre.bodyVersion)
	}
	return nil
}

func (l *Lab) servePut(w http.ResponseWriter, r *http.Request) error { return l.serveEdit(w, r, false) }
func (l *Lab) servePatch(w http.ResponseWriter, r *http.Request) error {
	return l.serveEdit(w, r, true)
}

// serveEdit answers PUT (replace slug, title and body) and PATCH (a JSON
// merge patch of them).
func (l *Lab) serveEdit(w http.ResponseWriter, r *http.Request, patch bool) error {
	sb, id, err := l.article(w, r)
	if err != nil {
		return err
	}
	want, header := typeJSON, ""
	if patch {
		want, header = typeMergePatch, "Accept-Patch"
	}
	data, p := l.readBody(w, r, want, header)
	var in input
	if p == nil {
		in, p = parseInput(data, patch)
	}
	var pre precondition
	if p == nil {
		pre, p = readPrecondition(r)
	}
	if p == nil && in.id != nil && *in.id != id {
		p = badRequest("The body's id is "+strconv.FormatInt(*in.id, 10)+", but this is article "+strconv.FormatInt(id, 10)+".", nil)
	}
	if p == nil && !patch {
		_, p = l.fields(in, nil) // report missing members before anything else
	}
	if p != nil {
		return p
	}
	if in.version != nil {
		pre.bodyVersion = *in.version
	}
	a, err := l.change(r, sb, id, pre, true, l.update(r.Context(), sb, id, func(cur store.Article) (store.Fields, *respond.Problem) {
		if in.state != nil && *in.state != string(cur.State) {
			return store.Fields{}, l.illegalTransition(r, cur, "change its state by an edit (use the transition links)")
		}
		base := &cur
		if !patch {
			base = nil
		}
		f, p := l.fields(in, base)
		f.State = cur.State
		return f, p
	}))
	return l.answer(w, r, a, err)
}

// answer sends the changed article, or returns the error.
func (l *Lab) answer(w http.ResponseWriter, r *http.Request, a store.Article, err error) error {
	if err != nil {
		return err
	}
	l.write(w, r, http.StatusOK, a)
	return nil
}

func (l *Lab) serveDelete(w http.ResponseWriter, r *http.Request) error {
	sb, id, err := l.article(w, r)
	if err != nil {
		return err
	}
	pre, p := readPrecondition(r)
	if p != nil {
		return p
	}
	_, err = l.change(r, sb, id, pre, true, func(cur store.Article) (store.Article, error) {
		return cur, l.opts.Store.Delete(r.Context(), sb, id, cur.Version)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// serveTransition answers POST .../publish, /archive and /restore. If-Match
// is optional: without it the transition applies to the current version
// if it is allowed from the current state.
func (l *Lab) serveTransition(w http.ResponseWriter, r *http.Request) error {
	sb, id, err := l.article(w, r)
	if err != nil {
		return err
	}
	t := findTransition(r.PathValue("transition"))
	if t == nil {
		return &respond.Problem{Status: http.StatusNotFound, Title: "Not Found",
			Detail: "There is no transition " + strconv.Quote(respond.Truncate(r.PathValue("transition"), 32)) + "; the transitions are publish, archive and restore."}
	}
	pre, p := readPrecondition(r)
	if p != nil {
		return p
	}
	a, err := l.change(r, sb, id, pre, false, l.update(r.Context(), sb, id, func(cur store.Article) (store.Fields, *respond.Problem) {
		if !t.allowedFrom(cur.State) {
			return store.Fields{}, l.illegalTransition(r, cur, t.name)
		}
		return store.Fields{Slug: cur.Slug, Title: cur.Title, Body: cur.Body, State: t.to}, nil
	}))
	return l.answer(w, r, a, err)
}
