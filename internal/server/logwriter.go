package server

import (
	"io"
	"sync"
	"time"
)

// logBufSize is the size of one batch of log lines.
const logBufSize = 64 << 10

// LogWriter buffers log output and hands it, a batch at a time, to a
// goroutine of its own that writes it: when a batch is full, every
// interval, on Flush and on Close. The access log then costs one write
// system call per batch rather than one per request, and no request
// waits for one: a request only copies its line, under a lock held for
// that copy. Lines are written in the order they were written to it. A
// crash can lose at most one interval of log lines.
type LogWriter struct {
	w io.Writer

	mu     sync.Mutex
	buf    []byte // the batch being filled
	closed bool   // after Close, lines are written at once

	batches chan logBatch  // to the writing goroutine, in order
	free    chan []byte    // written batches, for reuse
	stop    chan struct{}  // ends the ticker
	wg      sync.WaitGroup // the ticker and the writer
}

// logBatch is lines to write; done, when not nil, is closed once they are.
type logBatch struct {
	b    []byte
	done chan struct{}
}

func NewLogWriter(w io.Writer, interval time.Duration) *LogWriter {
	lw := &LogWriter{w: w, buf: make([]byte, 0, logBufSize),
		// A few batches in flight: a writer that falls further behind
		// (a blocked pipe) holds up logging rather than filling memory.
		batches: make(chan logBatch, 4), free: make(chan []byte, 4),
		stop: make(chan struct{})}
	lw.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				lw.mu.Lock()
				if !lw.closed {
					lw.handOff(nil)
				}
				lw.mu.Unlock()
			case <-lw.stop:
				return
			}
		}
	})
	lw.wg.Go(lw.write)
	return lw
}

// write writes the batches, in the order they were handed off.
func (lw *LogWriter) write() {
	for bt := range lw.batches {
		if len(bt.b) > 0 {
			lw.w.Write(bt.b)
		}
		if bt.done != nil {
			close(bt.done)
		}
		select {
		case lw.free <- bt.b[:0]:
		default:
		}
	}
}

// handOff passes the batch being filled to the writer, and done, to be
// closed once it is written; lw.mu is held.
func (lw *LogWriter) handOff(done chan struct{}) {
	if len(lw.buf) == 0 && done == nil {
		return
	}
	lw.batches <- logBatch{lw.buf, done}
	select {
	case b := <-lw.free:
		lw.buf = b
	default:
		lw.buf = make([]byte, 0, logBufSize)
	}
}

// Write adds p to the batch. p is one whole log line: lines are never
// split between batches.
func (lw *LogWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.closed {
		return lw.w.Write(p)
	}
	if len(lw.buf)+len(p) > cap(lw.buf) && len(lw.buf) > 0 {
		lw.handOff(nil)
	}
	lw.buf = append(lw.buf, p...)
	return len(p), nil
}

// Flush writes out what is buffered, and returns once it is written.
func (lw *LogWriter) Flush() {
	lw.mu.Lock()
	if lw.closed {
		lw.mu.Unlock()
		return
	}
	done := make(chan struct{})
	lw.handOff(done)
	lw.mu.Unlock()
	<-done
}

// Close writes out the rest and stops the goroutines; lines written
// after it are written at once.
func (lw *LogWriter) Close() {
	close(lw.stop)
	lw.mu.Lock()
	lw.handOff(nil)
	lw.closed = true
	close(lw.batches)
	lw.mu.Unlock()
	lw.wg.Wait()
}
