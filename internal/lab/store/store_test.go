package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
)

// testStore is the conformance suite every Store passes. open returns an
// empty store, closed by t.Cleanup.
func testStore(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, s store.Store)
	}{
		{"CreateGet", testCreateGet},
		{"CreateDuplicateSlug", testCreateDuplicateSlug},
		{"CreateMax", testCreateMax},
		{"GetNotFound", testGetNotFound},
		{"List", testList},
		{"Update", testUpdate},
		{"UpdateStale", testUpdateStale},
		{"UpdateNotFound", testUpdateNotFound},
		{"UpdateDuplicateSlug", testUpdateDuplicateSlug},
		{"Delete", testDelete},
		{"SandboxIsolation", testSandboxIsolation},
		{"TouchExpire", testTouchExpire},
		{"Metacharacters", testMetacharacters},
		{"ConcurrentCreateMax", testConcurrentCreateMax},
		{"ConcurrentCreateSameSlug", testConcurrentCreateSameSlug},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"NewSandbox", testNewSandbox},
		{"SandboxLimit", testSandboxLimit},
		{"ConcurrentSandboxLimit", testConcurrentSandboxLimit},
		{"BytesLimit", testBytesLimit},
		{"ExpireLittleUsed", testExpireLittleUsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t))
		})
	}
}

// sandbox returns a sandbox token of the test's own.
func sandbox(t *testing.T, suffix string) string {
	return t.Name() + "/" + suffix
}

func mustCreate(t *testing.T, s store.Store, sb string, f store.Fields) store.Article {
	t.Helper()
	a, err := s.Create(t.Context(), sb, f, articles(100))
	if err != nil {
		t.Fatalf("Create(%q, %+v): %v", sb, f, err)
	}
	return a
}

func mustGet(t *testing.T, s store.Store, sb string, id int64) store.Article {
	t.Helper()
	a, err := s.Get(t.Context(), sb, id)
	if err != nil {
		t.Fatalf("Get(%q, %d): %v", sb, id, err)
	}
	return a
}

// checkTime fails unless tm is UTC, whole seconds and about now.
func checkTime(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.Location() != time.UTC || tm.Nanosecond() != 0 {
		t.Errorf("%s = %v, want UTC truncated to the second", what, tm)
	}
	if d := time.Since(tm); d < 0 || d > time.Minute {
		t.Errorf("%s = %v, want about now (%v)", what, tm, time.Now().UTC())
	}
}

func testCreateGet(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	a := mustCreate(t, s, sb, store.Fields{Slug: "hello", Title: "Hello", Body: "World"})
	want := store.Article{ID: a.ID, Slug: "hello", Title: "Hello", Body: "World",
		State: store.Draft, Version: 1, Created: a.Created, Updated: a.Created}
	if a != want {
		t.Errorf("Create = %+v, want %+v", a, want)
	}
	checkTime(t, "Created", a.Created)
	if got := mustGet(t, s, sb, a.ID); got != a {
		t.Errorf("Get = %+v, want what Create returned, %+v", got, a)
	}
	p := mustCreate(t, s, sb, store.Fields{Slug: "p", State: store.Published})
	if p.State != store.Published || p.ID == a.ID {
		t.Errorf("second Create = %+v, want state published and an ID other than %d", p, a.ID)
	}
}

func testCreateDuplicateSlug(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	a := mustCreate(t, s, sb, store.Fields{Slug: "taken"})
	_, err := s.Create(t.Context(), sb, store.Fields{Slug: "taken", Title: "other"}, articles(100))
	var dup *store.DuplicateSlugError
	if !errors.As(err, &dup) || dup.Slug != "taken" || dup.Existing != a.ID {
		t.Fatalf("Create with a taken slug: %v, want *DuplicateSlugError{taken, %d}", err, a.ID)
	}
	// Slugs are unique per sandbox only.
	mustCreate(t, s, sandbox(t, "b"), store.Fields{Slug: "taken"})
	if list, _ := s.List(t.Context(), sb); len(list) != 1 {
		t.Errorf("after the failed Create, List has %d articles, want 1", len(list))
	}
}

func testCreateMax(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	var last store.Article
	for i := range 3 {
		a, err := s.Create(t.Context(), sb, store.Fields{Slug: fmt.Sprint(i)}, articles(3))
		if err != nil {
			t.Fatalf("Create %d of 3: %v", i+1, err)
		}
		last = a
	}
	if _, err := s.Create(t.Context(), sb, store.Fields{Slug: "x"}, articles(3)); !errors.Is(err, store.ErrTooMany) {
		t.Fatalf("Create beyond max: %v, want ErrTooMany", err)
	}
	// Too many wins over a duplicate slug: the sandbox is full either way.
	if _, err := s.Create(t.Context(), sb, store.Fields{Slug: "0"}, articles(3)); !errors.Is(err, store.ErrTooMany) {
		t.Fatalf("Create beyond max with a taken slug: %v, want ErrTooMany", err)
	}
	if _, err := s.Create(t.Context(), sandbox(t, "b"), store.Fields{Slug: "x"}, articles(3)); err != nil {
		t.Fatalf("Create in another sandbox: %v, want the max to count per sandbox", err)
	}
	if err := s.Delete(t.Context(), sb, last.ID, last.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(t.Context(), sb, store.Fields{Slug: "x"}, articles(3)); err != nil {
		t.Fatalf("Create after a Delete freed a place: %v", err)
	}
}

func testGetNotFound(t *testing.T, s store.Store) {
	if _, err := s.Get(t.Context(), sandbox(t, "none"), 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get in an unknown sandbox: %v, want ErrNotFound", err)
	}
	a := mustCreate(t, s, sandbox(t, "a"), store.Fields{Slug: "s"})
	if _, err := s.Get(t.Context(), sandbox(t, "a"), a.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of an unknown ID: %v, want ErrNotFound", err)
	}
}

func testList(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	list, err := s.List(t.Context(), sb)
	if err != nil || list == nil || len(list) != 0 {
		t.Errorf("List of an empty sandbox = %#v, %v; want an empty, non-nil slice", list, err)
	}
	var want []store.Article
	for _, slug := range []string{"c", "a", "b"} {
		want = append(want, mustCreate(t, s, sb, store.Fields{Slug: slug}))
	}
	mustCreate(t, s, sandbox(t, "other"), store.Fields{Slug: "z"})
	list, err = s.List(t.Context(), sb)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(list) != fmt.Sprint(want) {
		t.Errorf("List = %+v, want by ID %+v", list, want)
	}
}

func testUpdate(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	a := mustCreate(t, s, sb, store.Fields{Slug: "s", Title: "t", Body: "b"})
	f := store.Fields{Slug: "s2", Title: "t2", Body: "b2", State: store.Archived}
	u, err := s.Update(t.Context(), sb, a.ID, 1, f, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Article{ID: a.ID, Slug: "s2", Title: "t2", Body: "b2",
		State: store.Archived, Version: 2, Created: a.Created, Updated: u.Updated}
	if u != want {
		t.Errorf("Update = %+v, want %+v", u, want)
	}
	checkTime(t, "Updated", u.Updated)
	if u.Updated.Before(u.Created) {
		t.Errorf("Updated %v is before Created %v", u.Updated, u.Created)
	}
	if got := mustGet(t, s, sb, a.ID); got != u {
		t.Errorf("Get after Update = %+v, want %+v", got, u)
	}
	// The article keeps its own slug; an empty state is a draft again.
	u, err = s.Update(t.Context(), sb, a.ID, 2, store.Fields{Slug: "s2"}, 0)
	if err != nil || u.Version != 3 || u.State != store.Draft {
		t.Errorf("Update keeping the slug = %+v, %v; want version 3, a draft", u, err)
	}
}

func testUpdateStale(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	a := mustCreate(t, s, sb, store.Fields{Slug: "s"})
	cur, err := s.Update(t.Context(), sb, a.ID, 1, store.Fields{Slug: "s", Title: "first"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{1, 3, 0} {
		_, err := s.Update(t.Context(), sb, a.ID, v, store.Fields{Slug: "s", Title: "second"}, 0)
		var stale *store.StaleError
		if !errors.As(err, &stale) || stale.Current != cur {
			t.Errorf("Update at version %d: %v, want *StaleError with %+v", v, err, cur)
		}
		err = s.Delete(t.Context(), sb, a.ID, v)
		if !errors.As(err, &stale) || stale.Current != cur {
			t.Errorf("Delete at version %d: %v, want *StaleError with %+v", v, err, cur)
		}
	}
	if got := mustGet(t, s, sb, a.ID); got != cur {
		t.Errorf("after stale writes, Get = %+v, want it unchanged, %+v", got, cur)
	}
}

func testUpdateNotFound(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	a := mustCreate(t, s, sb, store.Fields{Slug: "s"})
	if _, err := s.Update(t.Context(), sb, a.ID+1000, 1, store.Fields{Slug: "x"}, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update of an unknown ID: %v, want ErrNotFound", err)
	}
	if err := s.Delete(t.Context(), sb, a.ID+1000, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delete of an unknown ID: %v, want ErrNotFound", err)
	}
}

func testUpdateDuplicateSlug(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	a := mustCreate(t, s, sb, store.Fields{Slug: "a"})
	b := mustCreate(t, s, sb, store.Fields{Slug: "b"})
	_, err := s.Update(t.Context(), sb, b.ID, 1, store.Fields{Slug: "a"}, 0)
	var dup *store.DuplicateSlugError
	if !errors.As(err, &dup) || dup.Slug != "a" || dup.Existing != a.ID {
		t.Fatalf("Update to a taken slug: %v, want *DuplicateSlugError{a, %d}", err, a.ID)
	}
	if got := mustGet(t, s, sb, b.ID); got != b {
		t.Errorf("after the failed Update, Get = %+v, want it unchanged, %+v", got, b)
	}
	// A stale version is reported before the slug.
	var stale *store.StaleError
	if _, err := s.Update(t.Context(), sb, b.ID, 7, store.Fields{Slug: "a"}, 0); !errors.As(err, &stale) {
		t.Errorf("stale Update to a taken slug: %v, want *StaleError", err)
	}
}

func testDelete(t *testing.T, s store.Store) {
	sb := sandbox(t, "a")
	a := mustCreate(t, s, sb, store.Fields{Slug: "s"})
	if err := s.Delete(t.Context(), sb, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(t.Context(), sb, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(t.Context(), sb, a.ID, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
	if _, err := s.Update(t.Context(), sb, a.ID, 1, store.Fields{Slug: "s"}, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update after Delete: %v, want ErrNotFound", err)
	}
	// The slug is free again, and the new article gets a new ID.
	b := mustCreate(t, s, sb, store.Fields{Slug: "s"})
	if b.ID == a.ID {
		t.Errorf("new article reuses the deleted article's ID %d", a.ID)
	}
}

func testSandboxIsolation(t *testing.T, s store.Store) {
	mine, theirs := sandbox(t, "mine"), sandbox(t, "theirs")
	a := mustCreate(t, s, mine, store.Fields{Slug: "s"})
	if _, err := s.Get(t.Context(), theirs, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get from another sandbox: %v, want ErrNotFound", err)
	}
	if _, err := s.Update(t.Context(), theirs, a.ID, 1, store.Fields{Slug: "x"}, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update from another sandbox: %v, want ErrNotFound", err)
	}
	if err := s.Delete(t.Context(), theirs, a.ID, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delete from another sandbox: %v, want ErrNotFound", err)
	}
	if list, err := s.List(t.Context(), theirs); err != nil || len(list) != 0 {
		t.Errorf("List of another sandbox = %v, %v; want nothing", list, err)
	}
	if got := mustGet(t, s, mine, a.ID); got != a {
		t.Errorf("Get = %+v, want it untouched, %+v", got, a)
	}
}

func testTouchExpire(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := time.Now()
	old, fresh, unknown := sandbox(t, "old"), sandbox(t, "fresh"), sandbox(t, "unknown")
	a := mustCreate(t, s, old, store.Fields{Slug: "s"})
	b := mustCreate(t, s, fresh, store.Fields{Slug: "s"})
	for sb, at := range map[string]time.Time{old: now.Add(-2 * time.Hour), unknown: now.Add(-90 * time.Minute)} {
		if err := s.Touch(ctx, sb, at); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Expire(ctx, now.Add(-3*time.Hour), now.Add(-3*time.Hour)); err != nil || n != 0 {
		t.Errorf("Expire before every sandbox = %d, %v; want 0", n, err)
	}
	// Touching the unknown sandbox did not make it: only old goes.
	if n, err := s.Expire(ctx, now.Add(-time.Hour), now.Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("Expire = %d, %v; want 1 (%s)", n, err, old)
	}
	if _, err := s.Get(ctx, old, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get in an expired sandbox: %v, want ErrNotFound", err)
	}
	if got := mustGet(t, s, fresh, b.ID); got != b {
		t.Errorf("Get in a fresh sandbox = %+v, want %+v", got, b)
	}
	if u := mustUsage(t, s); u.Sandboxes != 1 {
		t.Errorf("Usage = %+v, want 1 sandbox (%s)", u, fresh)
	}
	// An expired sandbox can start again.
	mustCreate(t, s, old, store.Fields{Slug: "s"})
}

func testMetacharacters(t *testing.T, s store.Store) {
	sb := sandbox(t, "a'; DROP TABLE sandboxes; --")
	for i, v := range []string{
		"'; DROP TABLE articles; --",
		`" OR 1=1 --`,
		"100% _done_ [x] * ? $1 ?1 :name @p",
		`C:\path\to\file \' \" \\ \n`,
		"naïve café 日本語 🫖 \u202e",
		"tab\tnewline\nreturn\r",
		"  leading and trailing spaces  ",
		"",
		strings.Repeat("long ", 20000),
	} {
		f := store.Fields{Slug: fmt.Sprintf("%d%s", i, v), Title: v, Body: v + v}
		a := mustCreate(t, s, sb, f)
		got := mustGet(t, s, sb, a.ID)
		if got.Slug != f.Slug || got.Title != f.Title || got.Body != f.Body {
			t.Errorf("round trip of %.40q: got slug %.40q title %.40q body %.40q", v, got.Slug, got.Title, got.Body)
		}
		f.Title = "updated " + v
		if u, err := s.Update(t.Context(), sb, a.ID, 1, f, 0); err != nil || u.Title != f.Title {
			t.Errorf("Update with %.40q: title %.40q, %v", v, u.Title, err)
		}
	}
	// A LIKE pattern in a slug matches nothing else.
	if _, err := s.Create(t.Context(), sb, store.Fields{Slug: "%"}, articles(100)); err != nil {
		t.Errorf("Create with slug %%: %v", err)
	}
	if list, err := s.List(t.Context(), sb); err != nil || len(list) != 10 {
		t.Errorf("List = %d articles, %v; want 10", len(list), err)
	}
}
