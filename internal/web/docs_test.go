package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDocLazy: a lazy form is made once, however many requests ask for it
// at once, and each gets the same body; forms without a maker are not
// offered.
func TestDocLazy(t *testing.T) {
	var made atomic.Int32
	d := newDocLazy(func() []byte {
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

// TestShellWarm: Warm renders every lazy page once; a page that cannot be
// rendered is its error, naming the page, and panics on every request
// (the server answers 500 and logs it) rather than serving nothing.
func TestShellWarm(t *testing.T) {
	shell, err := New(Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var good, bad atomic.Int32
	ok := shell.LazyDoc("/ok", func() ([]byte, error) { good.Add(1); return []byte("ok"), nil }, nil, nil)
	broken := shell.LazyDoc("/broken", func() ([]byte, error) { bad.Add(1); return nil, errors.New("template broken") }, nil, nil)
	if ok.HTMLMade() || broken.HTMLMade() {
		t.Fatal("a lazy page was rendered before it was asked for")
	}
	err = shell.Warm(context.Background())
	if err == nil || !strings.Contains(err.Error(), "/broken") || !strings.Contains(err.Error(), "template broken") {
		t.Fatalf("Warm: %v", err)
	}
	if !ok.HTMLMade() || good.Load() != 1 {
		t.Errorf("Warm did not render /ok once: made %v, %d renders", ok.HTMLMade(), good.Load())
	}
	shell.Warm(context.Background())
	if good.Load() != 1 {
		t.Errorf("/ok rendered %d times", good.Load())
	}
	for range 2 {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the broken page did not panic")
				}
			}()
			broken.HTML()
		}()
	}
	if bad.Load() != 4 {
		t.Errorf("the broken page was tried %d times, want 4 (two Warms, two requests)", bad.Load())
	}
}
