package app

import (
	"context"
	"sync/atomic"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/ratelimit"
	"github.com/teapothq/teapot/internal/server"
)

// storeReady is ready while the lab's database answers. The reason never
// carries the error: /readyz is public, and errors name hosts.
func storeReady(st store.Store) server.ReadyCheck {
	return func(ctx context.Context) (server.Readiness, string) {
		if _, err := st.Usage(ctx); err != nil {
			return server.NotReady, "the lab's database does not answer"
		}
		return server.Ready, ""
	}
}

// redisReady is not ready until Redis has answered once, so that a new
// instance joins with the shared limits; after that, Redis away is only
// degraded: the instance serves with limits of its own.
func redisReady(r *ratelimit.Redis) server.ReadyCheck {
	var answered atomic.Bool
	return func(ctx context.Context) (server.Readiness, string) {
		if err := r.Ping(ctx); err != nil {
			if !answered.Load() {
				return server.NotReady, "Redis has not answered yet"
			}
			return server.Degraded, "Redis does not answer: limits hold per instance"
		}
		answered.Store(true)
		return server.Ready, ""
	}
}
