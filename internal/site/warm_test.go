package site

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/teapothq/teapot/internal/web"
)

// TestWarm: the codes' pages wait for their first request or for Warm,
// which renders each once, the same page a request renders, and stops
// when its context ends.
func TestWarm(t *testing.T) {
	s := newTestSite(t, "")
	asked := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/409", nil)
	r.Header.Set("Accept", "text/html")
	s.handler().ServeHTTP(asked, r)
	if asked.Code != http.StatusOK || !strings.Contains(asked.Body.String(), "409 Conflict") {
		t.Fatalf("/409 before Warm: %d %.200s", asked.Code, asked.Body.String())
	}
	first := s.pages["/409"].HTML()
	for _, e := range s.cat.Entries() {
		if e.CodeString() != "409" && s.pages["/"+e.CodeString()].HTMLMade() {
			t.Fatalf("the page of %s was rendered before anyone asked for it", e.CodeString())
		}
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Warm(cancelled); err != nil {
		t.Fatal(err)
	}
	if s.pages["/200"].HTMLMade() {
		t.Error("Warm rendered pages after its context ended")
	}

	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, e := range s.cat.Entries() {
		if !s.pages["/"+e.CodeString()].HTMLMade() {
			t.Errorf("Warm left the page of %s unrendered", e.CodeString())
		}
	}
	if s.pages["/409"].HTML() != first {
		t.Error("Warm rendered /409 again")
	}
	if asked.Body.String() != string(first.Data) {
		t.Error("the page a request rendered is not the one kept")
	}
}

// TestWarmError: a page that cannot be rendered is Warm's error, and
// every request for it panics (the server answers 500 and logs it)
// rather than getting an empty page.
func TestWarmError(t *testing.T) {
	s := newTestSite(t, "")
	entry := s.cat.Entries()[0]
	broken := errors.New("template broken")
	calls := 0
	var mu sync.Mutex
	s.pages["/"+entry.CodeString()] = webDocPanicking(func() { mu.Lock(); calls++; mu.Unlock(); panic(broken) })
	err := s.Warm(context.Background())
	if err == nil || !strings.Contains(err.Error(), "template broken") || !strings.Contains(err.Error(), entry.CodeString()) {
		t.Fatalf("Warm: %v", err)
	}
	for range 2 {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the broken page did not panic")
				}
			}()
			s.pages["/"+entry.CodeString()].HTML()
		}()
	}
	if calls != 3 {
		t.Errorf("the broken page was tried %d times, want 3 (Warm and each request)", calls)
	}
}

// webDocPanicking is a code's page whose HTML calls f, which panics.
func webDocPanicking(f func()) *web.Doc {
	return web.NewDocLazy(func() []byte { f(); return nil }, nil, nil)
}
