package urlcheck

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/web"
)

// TestIPv6ClientSlots: every address of one IPv6 /64 is one client for
// the checker's per-client slots; another /64 has slots of its own.
func TestIPv6ClientSlots(t *testing.T) {
	t.Parallel()
	g := newGate(t, 3)
	mux := web.NewMux()
	localChecker(t, Options{PerClient: 1}).Register(mux)
	h := mux.Finish()
	post := func(peer, url string, done chan<- int) {
		body, _ := json.Marshal(Request{URLs: []string{url}})
		r := httptest.NewRequest("POST", "/api/check", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = peer
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		done <- w.Code
	}
	done := make(chan int, 3)
	go post("[2001:db8:1:2::1]:4000", g.URL+"/0", done)
	g.await(t, 1)
	// Another address of the same /64 waits for the one slot...
	go post("[2001:db8:1:2::2]:4000", g.URL+"/1", done)
	// ...while another /64 gets its own at once.
	go post("[2001:db8:1:3::1]:4000", g.URL+"/2", done)
	g.await(t, 1)
	select {
	case i := <-g.arrived:
		t.Fatalf("check %d started while its /64's only slot was taken", i)
	case <-time.After(200 * time.Millisecond):
	}
	g.open(0)
	g.await(t, 1) // the same /64's second check, now that the slot is free
	g.open(1)
	g.open(2)
	for range 3 {
		if code := <-done; code != 200 {
			t.Errorf("a check answered %d, want 200", code)
		}
	}
}
