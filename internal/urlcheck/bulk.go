package urlcheck

import (
	"context"
	"net/url"
	"sync"
)

// clients caps the checks one client address runs at once, and the
// check requests it has in flight.
type clients struct {
	mu        sync.Mutex
	perClient int
	m         map[string]*client
}

type client struct {
	sem      chan struct{}
	requests int
}

// maxRequestsPerClient caps the check requests one address has in flight;
// their checks share the address's PerClient slots.
const maxRequestsPerClient = 4

func newClients(perClient int) *clients {
	return &clients{perClient: perClient, m: map[string]*client{}}
}

// enter registers a request of key, or reports false when the address
// already has too many in flight.
func (cs *clients) enter(key string) (*client, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.m[key]
	if c == nil {
		c = &client{sem: make(chan struct{}, cs.perClient)}
		cs.m[key] = c
	}
	if c.requests >= maxRequestsPerClient {
		return nil, false
	}
	c.requests++
	return c, true
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
	select {
	case cl.sem <- struct{}{}:
		defer func() { <-cl.sem }()
	case <-ctx.Done():
		return notRun()
	}
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
