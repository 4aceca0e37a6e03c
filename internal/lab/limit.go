package lab

import (
	"time"

	"github.com/teapothq/teapot/internal/ratelimit"
)

// maxClients bounds the clients whose new sandboxes are counted. Past it,
// the least recently seen are forgotten and start with a full allowance,
// which the lab's caps on sandboxes and bytes still bound.
const maxClients = 100_000

// newSandboxLimit allows n new sandboxes an hour from a client, all at
// once if it likes, on the clock now; in shared when it is set.
func newSandboxLimit(n int, now func() time.Time, shared *ratelimit.Redis) ratelimit.Bucket {
	local := ratelimit.New(float64(n)/3600, n, maxClients, now)
	return shared.Bucket("lab-sandboxes", float64(n)/3600, n, local)
}
