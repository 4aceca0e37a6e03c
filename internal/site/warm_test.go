package site

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestWarm: the codes' pages wait for their first request or for the
// shell's Warm, which renders each once, the same page a request
// renders, and stops when its context ends.
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
	if err := s.shell.Warm(cancelled); err != nil {
		t.Fatal(err)
	}
	if s.pages["/200"].HTMLMade() {
		t.Error("Warm rendered pages after its context ended")
	}

	if err := s.shell.Warm(context.Background()); err != nil {
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
