package server

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// tooMany is what a connection over the cap gets before it is closed: a
// complete response, so that a client (or the proxy in front) sees why
// rather than a reset or a wait in the kernel's accept queue.
var tooMany = func() []byte {
	body := "Too many connections are open (--max-conns); try again.\n"
	return []byte("HTTP/1.1 503 Service Unavailable\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

// connCap counts the connections open on a listener. A connection stays
// counted until it is closed, by the server or, for one taken over by a
// handler (a 101 upgrade), by that handler: both close the same net.Conn.
type connCap struct {
	net.Listener
	max     int64
	open    *atomic.Int64
	refused *atomic.Uint64
	log     *slog.Logger

	refusing atomic.Int64 // connections being answered 503
	warned   atomic.Int64 // unix second of the last warning
}

// capConns caps the connections open at once on ln at max; m, if not
// nil, counts them for /metrics.
func capConns(ln net.Listener, max int, log *slog.Logger, m *metrics) net.Listener {
	c := &connCap{Listener: ln, max: int64(max), log: log, open: new(atomic.Int64), refused: new(atomic.Uint64)}
	if m != nil {
		c.open, c.refused = &m.connsOpen, &m.connsRefused
	}
	return c
}

func (l *connCap) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			return &countedConn{Conn: c, open: l.open}, nil
		}
		l.open.Add(-1)
		l.refused.Add(1)
		if l.refusing.Add(1) <= maxRefusing {
			go l.refuse(c)
		} else {
			l.refusing.Add(-1)
			c.Close()
		}
		if now := time.Now().Unix(); l.warned.Swap(now) != now {
			l.log.Warn("connection refused: too many open", "max_conns", l.max, "peer", c.RemoteAddr().String())
		}
	}
}

// maxRefusing bounds the connections being answered 503 at once; past
// it, one over the cap is closed without a word.
const maxRefusing = 64

// refuse reads the request's head, so that the client takes the 503 as
// its answer (a response sent before the request is, to most clients,
// garbage on an idle connection), answers, and closes: all within a
// second.
func (l *connCap) refuse(c net.Conn) {
	defer l.refusing.Add(-1)
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := http.ReadRequest(bufio.NewReader(io.LimitReader(c, 8192))); err != nil {
		return
	}
	c.Write(tooMany)
}

// countedConn gives its place back when closed, once.
type countedConn struct {
	net.Conn
	open *atomic.Int64
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}
