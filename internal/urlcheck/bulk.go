package urlcheck

import (
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/teapothq/teapot/internal/ratelimit"
)

// clients caps the checks one client address runs at once, and the
// check requests it has in flight. With shared slots (Redis), both caps
// hold across every instance that shares them; the local ones still
// apply.
type clients struct {
	mu        sync.Mutex
	perClient int
	m         map[string]*client
	requests  ratelimit.Slots // shared check requests in flight, or nil
	checks    ratelimit.Slots // shared checks at once, or nil
}

type client struct {
	key      string
	sem      chan struct{}
	requests int
	shared   ratelimit.Slots // the checks' shared slots, or nil
}

// maxRequestsPerClient caps the check requests one address has in flight;
// their checks share the address's PerClient slots.
const maxRequestsPerClient = 4

// sharedPoll is how often a check waiting for a shared slot asks again.
const sharedPoll = 50 * time.Millisecond

func newClients(perClient int) *clients {
	return &clients{perClient: perClient, m: map[string]*client{}}
}

// share keeps both caps in r too; a request's slot is held for at most
// longest, a check's for at most check.
func (cs *clients) share(r *ratelimit.Redis, longest, check time.Duration) {
	cs.requests = r.Slots("check-requests", 0, maxRequestsPerClient, longest, ratelimit.NewSlots(0, maxRequestsPerClient))
	cs.checks = r.Slots("check-urls", 0, cs.perClient, check, ratelimit.NewSlots(0, cs.perClient))
}

// enter registers a request of key, or reports false when the address
// already has too many in flight; leave, when it returns, ends it.
func (cs *clients) enter(key string) (cl *client, leave func(), ok bool) {
	release := func() {}
	if cs.requests != nil {
		if release, _ = cs.requests.Acquire(key); release == nil {
			return nil, nil, false
		}
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.m[key]
	if c == nil {
		c = &client{key: key, sem: make(chan struct{}, cs.perClient), shared: cs.checks}
		cs.m[key] = c
	}
	if c.requests >= maxRequestsPerClient {
		release()
		return nil, nil, false
	}
	c.requests++
	return c, func() { cs.leave(key); release() }, true
}

func (cs *clients) leave(key string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c := cs.m[key]; c != nil {
		if c.requests--; c.requests <= 0 {
			delete(cs.m, key)
		}
	}
}

// take waits for one of the client's check slots: here, and in the
// shared slots when there are any (asking again every sharedPoll). It
// reports false if ctx ends first.
func (cl *client) take(ctx context.Context) (release func(), ok bool) {
	select {
	case cl.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, false
	}
	if cl.shared == nil {
		return func() { <-cl.sem }, true
	}
	t := time.NewTicker(sharedPoll)
	defer t.Stop()
	for {
		if rel, _ := cl.shared.Acquire(cl.key); rel != nil {
			return func() { rel(); <-cl.sem }, true
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			<-cl.sem
			return nil, false
		}
	}
}

// Run checks urls with at most the client's share of workers at once and
// calls emit with each result as it finishes, from one goroutine at a
// time. A URL that could not start before ctx ended still gets a result.
// Run returns when every URL has one.
func (c *Checker) Run(ctx context.Context, cl *client, urls []*url.URL, spec Spec, emit func(Result)) {
	jobs := make(chan int)
	results := make(chan Result)
	n := min(len(urls), cap(cl.sem))
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for i := range jobs {
				results <- c.checkOne(ctx, cl, i, urls[i], spec)
			}
		})
	}
	go func() {
		for i := range urls {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	for r := range results {
		emit(r)
	}
}

// checkOne waits for a slot of the client and one of the whole pool, then
// checks.
func (c *Checker) checkOne(ctx context.Context, cl *client, i int, u *url.URL, spec Spec) Result {
	notRun := func() Result {
		return Result{Index: i, URL: u.String(), Error: "not checked: the request ended or ran out of time first"}
	}
	release, ok := cl.take(ctx)
	if !ok {
		return notRun()
	}
	defer release()
	select {
	case c.workers <- struct{}{}:
		defer func() { <-c.workers }()
	case <-ctx.Done():
		return notRun()
	}
	r := c.Check(ctx, u, spec)
	r.Index = i
	return r
}

// CheckAll checks urls for the command line, which has no client address
// to share with: workers at once, results as they finish.
func (c *Checker) CheckAll(ctx context.Context, urls []*url.URL, spec Spec, workers int, emit func(Result)) {
	cl := &client{sem: make(chan struct{}, max(workers, 1))}
	c.Run(ctx, cl, urls, spec, emit)
}
