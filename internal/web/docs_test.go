package web

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDocLazy: a lazy form is made once, however many requests ask for it
// at once, and each gets the same body; forms without a maker are not
// offered.
func TestDocLazy(t *testing.T) {
	var made atomic.Int32
	d := NewDocLazy(func() []byte {
		made.Add(1)
		return []byte("<!doctype html><title>x</title>")
	}, nil, func() []byte { return []byte("x\n") })
	shell, err := New(Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	bodies := make([]string, 16)
	for i := range bodies {
		wg.Go(func() {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/x", nil)
			r.Header.Set("Accept", "text/html")
			shell.Serve(w, r, d, "")
			if w.Code != http.StatusOK {
				t.Errorf("status %d", w.Code)
			}
			bodies[i] = w.Body.String()
		})
	}
	wg.Wait()
	if made.Load() != 1 {
		t.Errorf("the page was made %d times", made.Load())
	}
	for _, b := range bodies {
		if b != "<!doctype html><title>x</title>" {
			t.Errorf("body %q", b)
		}
	}
	if d.JSON() != nil {
		t.Error("a form without a maker is offered")
	}
	w := httptest.NewRecorder()
	shell.Serve(w, httptest.NewRequest("GET", "/x", nil), d, JSON)
	if w.Code != http.StatusNotFound {
		t.Errorf("JSON of a doc without it: %d", w.Code)
	}
}
