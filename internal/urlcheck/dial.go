package urlcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Resolver looks up a host's addresses; *net.Resolver is one. Tests use a
// fake, so that no test ever asks the system's resolver.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc opens a connection to an IP address and port.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// maxAnswers caps the addresses of one name that are checked and tried.
const maxAnswers = 16

// dialer connects only to addresses the guard allows. It resolves names
// itself and dials the checked address, so the address checked is the
// address connected to.
type dialer struct {
	guard   *Guard
	resolve Resolver
	dial    DialFunc
}

// hopKey carries the *hopTrace of a request to the dialer.
type hopKey struct{}

// hopTrace is what the dialer learns about a hop: the DNS time and the
// address dialed.
// A dial may outlive the request that started it, so it is locked.
type hopTrace struct {
	mu                sync.Mutex
	dnsStart, dnsDone time.Time
	addr              string
}

func (ht *hopTrace) set(f func(*hopTrace)) {
	if ht == nil {
		return
	}
	ht.mu.Lock()
	defer ht.mu.Unlock()
	f(ht)
}

func (ht *hopTrace) get() (dnsStart, dnsDone time.Time, addr string) {
	ht.mu.Lock()
	defer ht.mu.Unlock()
	return ht.dnsStart, ht.dnsDone, ht.addr
}

func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return nil, &RefusedError{Rule: "port", Target: portStr, Reason: fmt.Sprintf("port %q is not a port number", portStr)}
	}
	ips, named, err := d.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	// Every answer is checked before any is dialed: a name with one
	// private answer among public ones is refused as a whole.
	for _, ip := range ips {
		if err := d.guard.CheckAddr(ip); err != nil {
			var re *RefusedError
			if named && errors.As(err, &re) {
				return nil, re.ForName(strings.ToLower(strings.TrimSuffix(host, ".")))
			}
			return nil, err
		}
	}
	if err := d.guard.CheckPort(port); err != nil {
		return nil, err
	}
	var errs []error
	for _, ip := range ips {
		target := netip.AddrPortFrom(ip, uint16(port)).String()
		conn, err := d.dial(ctx, "tcp", target)
		if err == nil {
			ht, _ := ctx.Value(hopKey{}).(*hopTrace)
			ht.set(func(ht *hopTrace) { ht.addr = target })
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// lookup turns the host into addresses: a literal in any form a browser
// reads, localhost (RFC 6761) without asking, or the resolver's answers;
// named says the host was a name.
func (d *dialer) lookup(ctx context.Context, host string) (ips []netip.Addr, named bool, err error) {
	ip, ok, err := parseHost(host)
	if err != nil {
		return nil, false, err
	}
	if ok {
		return []netip.Addr{ip}, false, nil
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}, true, nil
	}
	ht, _ := ctx.Value(hopKey{}).(*hopTrace)
	ht.set(func(ht *hopTrace) { ht.dnsStart = time.Now() })
	ips, err = d.resolve.LookupNetIP(ctx, "ip", name)
	ht.set(func(ht *hopTrace) { ht.dnsDone = time.Now() })
	if err != nil {
		return nil, true, &lookupError{name: name, err: err}
	}
	if len(ips) == 0 {
		return nil, true, fmt.Errorf("resolving %s: no addresses", name)
	}
	if len(ips) > maxAnswers {
		ips = ips[:maxAnswers]
	}
	out := make([]netip.Addr, len(ips))
	for i, ip := range ips {
		out[i] = ip.Unmap()
	}
	return out, true, nil
}

// lookupError is a failed lookup of name, told without the resolver's
// address: *net.DNSError names the server it asked ("lookup x on
// 10.0.0.2:53: ..."), and its message may hold the addresses of the
// exchange, which are inside the network the checker runs in.
type lookupError struct {
	name string
	err  error
}

func (e *lookupError) Error() string {
	msg := e.err.Error()
	var de *net.DNSError
	if errors.As(e.err, &de) {
		switch msg = de.Err; {
		case de.IsNotFound:
			msg = "no such host"
		case de.IsTimeout:
			msg = "the lookup timed out"
		}
	}
	if mentionsAddr(msg) {
		msg = "the lookup failed"
	}
	return "resolving " + e.name + ": " + msg
}

func (e *lookupError) Unwrap() error { return e.err }

// mentionsAddr says whether s holds an IP address, with or without a
// port, anywhere in it.
func mentionsAddr(s string) bool {
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' || strings.ContainsRune(".:[]", r))
	})
	for _, w := range words {
		w = strings.TrimRight(w, ".:")
		if _, err := netip.ParseAddr(strings.Trim(w, "[]")); err == nil {
			return true
		}
		if _, err := netip.ParseAddrPort(w); err == nil {
			return true
		}
	}
	return false
}
