package ipinfo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/teapothq/teapot/internal/ratelimit"
)

// What became of an address's reverse DNS lookup: the reverse_dns field
// of the JSON, so that "no name" is not mistaken for "no answer in time".
const (
	rdnsFound   = "found"           // Hostname holds the name
	rdnsNone    = "none"            // the address has no valid name
	rdnsTimeout = "timeout"         // no answer within LookupTimeout
	rdnsFailed  = "failed"          // the resolver answered with an error
	rdnsSkipped = "skipped"         // not asked: the client is over LookupRate
	rdnsBusy    = "busy"            // not asked: MaxLookups are in flight
	rdnsSpecial = "special-purpose" // never asked, see Service.hostname
)

// The reverse DNS cache. Names change rarely, so an hour is fresh
// enough; answers without one are kept for less, so that a resolver back
// from an outage is asked again soon, but long enough that a dead one
// costs each address one timeout every few minutes, not one per request.
const (
	CacheSize   = 10000 // addresses remembered
	FoundTTL    = time.Hour
	NegativeTTL = 5 * time.Minute
	// maxClients is how many clients' lookup budgets are remembered; a
	// client forgotten has a full budget again, as one idle for a minute
	// would.
	maxClients = 10000
)

// answer is a reverse DNS result: a name, or why there is none.
type answer struct{ name, status string }

// reverseDNS looks addresses up through a cache, one query per address at
// a time, within each client's budget: a public /ip/{address} must not
// let one client turn its requests into a flood of queries, nor a dead
// resolver make every request wait out the timeout.
type reverseDNS struct {
	res       Resolver
	timeout   time.Duration
	perMinute int                // lookups one client may cause a minute; 0: no limit
	now       func() time.Time   // the clock; tests set it
	slots     chan struct{}      // a slot per query in flight
	joined    func(a netip.Addr) // called when a request joins a query in flight; tests set it

	budget ratelimit.Bucket   // each client's lookups, perMinute a minute in bursts of as many
	local  *ratelimit.Limiter // the budget in memory: the budget, or its fallback

	mu      sync.Mutex
	cache   *lru[netip.Addr, answer]
	flights map[netip.Addr]*flight
}

// flight is a query in flight; done is closed once ans is set.
type flight struct {
	done chan struct{}
	ans  answer
}

func newReverseDNS(res Resolver, timeout time.Duration, perMinute int) *reverseDNS {
	d := &reverseDNS{res: res, timeout: timeout, perMinute: perMinute, now: time.Now,
		slots: make(chan struct{}, MaxLookups), cache: newLRU[netip.Addr, answer](CacheSize),
		flights: make(map[netip.Addr]*flight)}
	// The budget reads d.now when asked, so that a test's clock counts.
	d.local = ratelimit.New(float64(perMinute)/60, perMinute, maxClients, func() time.Time { return d.now() })
	d.budget = d.local
	return d
}

// lookup is a's name: from the cache, from a query in flight for it, or
// from a new query charged to client (called only then).
func (d *reverseDNS) lookup(ctx context.Context, a netip.Addr, client func() string) answer {
	d.mu.Lock()
	now := d.now()
	if ans, ok := d.cache.get(a, now); ok {
		d.mu.Unlock()
		return ans
	}
	if f, ok := d.flights[a]; ok {
		d.mu.Unlock()
		if d.joined != nil {
			d.joined(a)
		}
		select {
		case <-f.done:
			return f.ans
		case <-ctx.Done():
			return answer{status: rdnsTimeout}
		}
	}
	// Past MaxLookups in flight, or over the client's budget, the answer
	// goes without a name at once rather than queueing for the resolver.
	select {
	case d.slots <- struct{}{}:
	default:
		d.mu.Unlock()
		return answer{status: rdnsBusy}
	}
	if ok, _ := d.budget.Allow(client()); !ok {
		<-d.slots
		d.mu.Unlock()
		return answer{status: rdnsSkipped}
	}
	f := &flight{done: make(chan struct{}), ans: answer{status: rdnsFailed}}
	d.flights[a] = f
	d.mu.Unlock()
	// Deferred, so that even a resolver that panics frees its slot and
	// the requests waiting for it.
	defer func() {
		<-d.slots
		ttl := NegativeTTL
		if f.ans.status == rdnsFound {
			ttl = FoundTTL
		}
		d.mu.Lock()
		delete(d.flights, a)
		d.cache.put(a, f.ans, d.now().Add(ttl))
		d.mu.Unlock()
		close(f.done)
	}()
	f.ans = d.query(ctx, a)
	return f.ans
}

// query asks the resolver. The answer is shared with every request that
// joined and cached, so the asker leaving must not cut it short: only the
// timeout ends it.
func (d *reverseDNS) query(ctx context.Context, a netip.Addr) answer {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.timeout)
	defer cancel()
	// net.Resolver may return the valid names with an error about
	// others, so names are read first.
	names, err := d.res.LookupAddr(ctx, a.String())
	if len(names) > 0 {
		name := strings.TrimSuffix(names[0], ".")
		if !validHostname(name) {
			return answer{status: rdnsNone}
		}
		return answer{name: strings.ToLower(name), status: rdnsFound}
	}
	var de *net.DNSError
	switch {
	case err == nil:
		return answer{status: rdnsNone}
	case ctx.Err() != nil || errors.As(err, &de) && de.IsTimeout:
		return answer{status: rdnsTimeout}
	case errors.As(err, &de) && de.IsNotFound:
		return answer{status: rdnsNone}
	}
	return answer{status: rdnsFailed}
}

// noHostname says why the client's address has no name in /ip/hostname,
// naming the limit that stopped the lookup when one did.
func (s *Service) noHostname(status string) string {
	switch status {
	case "":
		return "This server does no reverse DNS lookups, so it knows no reverse DNS name for your address.\n"
	case rdnsSpecial:
		return "Your address is special-purpose (see /ip), so it has no reverse DNS name here: such addresses are never looked up.\n"
	case rdnsTimeout:
		return fmt.Sprintf("The reverse DNS lookup of your address timed out (after %v); it is tried again after %d minutes.\n", s.opts.LookupTimeout, int(NegativeTTL.Minutes()))
	case rdnsFailed:
		return fmt.Sprintf("The reverse DNS lookup of your address failed; it is tried again after %d minutes.\n", int(NegativeTTL.Minutes()))
	case rdnsSkipped:
		return fmt.Sprintf("Your address was not looked up: one client may cause at most %d reverse DNS lookups a minute; try again in a minute.\n", s.opts.LookupRate)
	case rdnsBusy:
		return fmt.Sprintf("Your address was not looked up: the server has %d reverse DNS lookups in flight, its limit; try again.\n", MaxLookups)
	}
	return "Your address has no reverse DNS name.\n"
}
