package server

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer that records each write.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogWriter: lines from many goroutines come out whole, each
// goroutine's in its order, in few writes; Flush returns once they are
// written; the ticker writes without Flush; Close writes the rest, and
// lines after Close still come out.
func TestLogWriter(t *testing.T) {
	out := &lockedBuffer{}
	lw := NewLogWriter(out, time.Hour)
	const goroutines, lines = 8, 5000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(lw, "g=%d i=%d %s\n", g, i, strings.Repeat("x", i%200))
			}
		})
	}
	wg.Wait()
	lw.Flush()
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != goroutines*lines {
		t.Fatalf("%d lines, want %d", len(got), goroutines*lines)
	}
	next := make([]int, goroutines)
	for _, l := range got {
		var g, i int
		head, pad, ok := strings.Cut(l, " x")
		if !ok {
			head = strings.TrimSuffix(l, " ")
		}
		if _, err := fmt.Sscanf(head, "g=%d i=%d", &g, &i); err != nil || g >= goroutines {
			t.Fatalf("a line came out broken: %q", l)
		}
		if ok {
			pad = "x" + pad
		}
		if i != next[g] || pad != strings.Repeat("x", i%200) {
			t.Fatalf("goroutine %d: line %d came out where %d was due (%q)", g, i, next[g], l)
		}
		next[g]++
	}
	if n := out.writes; n > len(out.String())/(logBufSize/2)+1 {
		t.Errorf("%d writes for %d bytes", n, len(out.String()))
	}

	ticked := &lockedBuffer{}
	lw2 := NewLogWriter(ticked, 10*time.Millisecond)
	lw2.Write([]byte("tick\n"))
	deadline := time.Now().Add(5 * time.Second)
	for ticked.String() != "tick\n" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if ticked.String() != "tick\n" {
		t.Errorf("the ticker did not write: %q", ticked.String())
	}
	lw2.Write([]byte("before close\n"))
	lw2.Close()
	lw2.Write([]byte("after close\n"))
	lw2.Flush()
	if want := "tick\nbefore close\nafter close\n"; ticked.String() != want {
		t.Errorf("got %q, want %q", ticked.String(), want)
	}
}
