package lab

import (
	"net/http"
	"strconv"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/respond"
)

// Article is the JSON representation of an article.
type Article struct {
	ID      int64       `json:"id"`
	Slug    string      `json:"slug"`
	Title   string      `json:"title"`
	Body    string      `json:"body"`
	State   store.State `json:"state"`
	Version int64       `json:"version"`
	ETag    string      `json:"etag"`
	Created time.Time   `json:"created"`
	Updated time.Time   `json:"updated"`
	Links   Links       `json:"links"`
}

// Links are where the article and its allowed transitions are.
type Links struct {
	Self        string            `json:"self"`
	Transitions map[string]string `json:"transitions"`
}

func (l *Lab) represent(r *http.Request, a store.Article) Article {
	_, links := l.transitionsFrom(r, a)
	return Article{ID: a.ID, Slug: a.Slug, Title: a.Title, Body: a.Body, State: a.State, Version: a.Version,
		ETag: etag(a.Version), Created: a.Created, Updated: a.Updated,
		Links: Links{Self: l.articleURL(r, a.ID), Transitions: links}}
}

func (l *Lab) articleURL(r *http.Request, id int64) string {
	return respond.Link(r, "/lab/articles/"+strconv.FormatInt(id, 10))
}

// etag is the strong entity-tag of a version: "v3".
func etag(version int64) string { return `"v` + strconv.FormatInt(version, 10) + `"` }

// etagVersion is the version an entity-tag names, or 0 for a tag that is
// weak or not one of ours: such a tag matches nothing.
func etagVersion(tag string) int64 {
	if len(tag) < 4 || tag[:2] != `"v` || tag[len(tag)-1] != '"' {
		return 0
	}
	v, err := strconv.ParseInt(tag[2:len(tag)-1], 10, 64)
	if err != nil || v < 1 || strconv.FormatInt(v, 10) != tag[2:len(tag)-1] {
		return 0
	}
	return v
}

// transition is a named move between states.
type transition struct {
	name string
	from []store.State
	to   store.State
}

var transitions = []transition{
	{"publish", []store.State{store.Draft}, store.Published},
	{"archive", []store.State{store.Draft, store.Published}, store.Archived},
	{"restore", []store.State{store.Archived}, store.Draft},
}

func findTransition(name string) *transition {
	for i := range transitions {
		if transitions[i].name == name {
			return &transitions[i]
		}
	}
	return nil
}

func (t *transition) allowedFrom(s store.State) bool {
	for _, f := range t.from {
		if f == s {
			return true
		}
	}
	return false
}

// transitionsFrom lists the transitions allowed from a's state, by name
// and as a map of name to URL.
func (l *Lab) transitionsFrom(r *http.Request, a store.Article) ([]string, map[string]string) {
	names := []string{}
	links := map[string]string{}
	for _, t := range transitions {
		if t.allowedFrom(a.State) {
			names = append(names, t.name)
			links[t.name] = l.articleURL(r, a.ID) + "/" + t.name
		}
	}
	return names, links
}
