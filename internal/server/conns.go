package server

import (
	"log/slog"
	"net"
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
	warned  atomic.Int64 // unix second of the last warning
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
		// A fresh socket's send buffer takes these few bytes at once; the
		// deadline only guards against the odd one that does not.
		c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		c.Write(tooMany)
		c.Close()
		if now := time.Now().Unix(); l.warned.Swap(now) != now {
			l.log.Warn("connection refused: too many open", "max_conns", l.max, "peer", c.RemoteAddr().String())
		}
	}
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
