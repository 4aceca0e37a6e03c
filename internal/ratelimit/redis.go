package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	neturl "net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomodule/redigo/redis"
)

// Redis shares buckets and slots between every teapot that uses the same
// Redis server, so that two instances behind one load balancer give a
// client one budget, not two.
//
// When a call to Redis fails (down, too slow, refused), that call and
// every one for the next second are answered from the fallback in this
// process's memory: limits then hold per instance, as without Redis. A
// warning is logged at most once a minute while that lasts, and a line
// when Redis answers again. Both algorithms run on Redis's own clock
// (TIME), so the instances' clocks need not agree.
type Redis struct {
	pool   *redis.Pool
	prefix string
	log    *slog.Logger

	skipUntil atomic.Int64 // unix nanoseconds: after a failure, memory until then
	down      atomic.Bool
	lastWarn  atomic.Int64 // unix nanoseconds of the last warning
	failures  atomic.Int64
	holder    atomic.Uint64
	holderID  string // this process, in slot holders' names
}

// Timeouts: a limit is asked on the request path, so a slow Redis costs
// little before the fallback takes over.
const (
	redisDialTimeout = 500 * time.Millisecond
	redisOpTimeout   = 250 * time.Millisecond
	redisBackoff     = time.Second
	redisWarnEvery   = time.Minute
)

// NewRedis connects to the Redis at url (redis://[user:password@]host:port[/db]
// or rediss:// for TLS); every key it writes starts with prefix. It does
// not wait for an answer: an instance starts, and limits fall back to
// memory, while Redis is away.
func NewRedis(url, prefix string, log *slog.Logger) (*Redis, error) {
	if _, err := neturl.Parse(url); err != nil || !strings.HasPrefix(url, "redis://") && !strings.HasPrefix(url, "rediss://") {
		return nil, errors.New("--redis-url must be redis://[user:password@]host:port[/db] or rediss://host:port")
	}
	dial := func(ctx context.Context) (redis.Conn, error) {
		return redis.DialURLContext(ctx, url, redis.DialConnectTimeout(redisDialTimeout),
			redis.DialReadTimeout(redisOpTimeout), redis.DialWriteTimeout(redisOpTimeout))
	}
	var id [6]byte
	rand.Read(id[:])
	return &Redis{
		// At most 64 connections; past them a limit is answered from
		// memory rather than queued behind a slow Redis.
		pool:   &redis.Pool{DialContext: dial, MaxIdle: 16, MaxActive: 64, IdleTimeout: 4 * time.Minute},
		prefix: prefix, log: log, holderID: hex.EncodeToString(id[:]),
	}, nil
}

// Close closes the connections.
func (r *Redis) Close() error { return r.pool.Close() }

// Ping asks Redis for an answer now, and notes whether it came.
func (r *Redis) Ping(ctx context.Context) error {
	_, err := r.do(ctx, func(c redis.Conn) (any, error) { return redis.DoContext(c, ctx, "PING") })
	return err
}

// Degraded reports whether the last call to Redis failed: limits are then
// this instance's own.
func (r *Redis) Degraded() bool { return r.down.Load() }

// Failures counts the calls to Redis that failed since start.
func (r *Redis) Failures() int64 { return r.failures.Load() }

// usable reports whether to ask Redis, or to keep to memory for a while
// after a failure.
func (r *Redis) usable() bool { return time.Now().UnixNano() >= r.skipUntil.Load() }

func (r *Redis) failed(err error) {
	r.failures.Add(1)
	now := time.Now()
	r.skipUntil.Store(now.Add(redisBackoff).UnixNano())
	r.down.Store(true)
	last := r.lastWarn.Load()
	if now.UnixNano()-last >= int64(redisWarnEvery) && r.lastWarn.CompareAndSwap(last, now.UnixNano()) {
		r.log.Warn("redis unreachable: limits hold per instance until it answers", "err", err.Error())
	}
}

func (r *Redis) answered() {
	if r.down.CompareAndSwap(true, false) {
		r.log.Info("redis answers again: limits are shared")
	}
}

// do runs f on a pooled connection within the operation's timeout, and
// notes whether Redis answered.
func (r *Redis) do(ctx context.Context, f func(redis.Conn) (any, error)) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, redisOpTimeout)
	defer cancel()
	c, err := r.pool.GetContext(ctx)
	if err == nil {
		defer c.Close()
		var v any
		if v, err = f(c); err == nil {
			r.answered()
			return v, nil
		}
	}
	r.failed(err)
	return nil, err
}

// run runs a script for a limit and returns its integers.
func (r *Redis) run(s *redis.Script, keys []string, args ...any) ([]int64, error) {
	keysAndArgs := make([]any, 0, len(keys)+len(args))
	for _, k := range keys {
		keysAndArgs = append(keysAndArgs, k)
	}
	keysAndArgs = append(keysAndArgs, args...)
	ctx := context.Background()
	return redis.Int64s(r.do(ctx, func(c redis.Conn) (any, error) { return s.DoContext(ctx, c, keysAndArgs...) }))
}

// gcra is a token bucket as the generic cell rate algorithm keeps it: one
// number per key, the theoretical arrival time (TAT) of the next request,
// in microseconds of Redis's clock. A request is allowed when the TAT it
// would set is at most burst intervals ahead of now. It returns {1, 0} or
// {0, microseconds to wait}.
var gcra = redis.NewScript(1, `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new = tat + interval
local allowAt = new - burst * interval
if now < allowAt then
  return {0, math.ceil(allowAt - now)}
end
redis.call('SET', KEYS[1], string.format('%.0f', new), 'PX', math.ceil((new - now) / 1000) + 1)
return {1, 0}
`)

// Bucket is a token bucket named name (one per limit), shared through
// Redis, with local as its fallback. Without Redis (r is nil) it is local
// itself, so that a feature asks the same way whether limits are shared
// or not.
func (r *Redis) Bucket(name string, rate float64, burst int, local *Limiter) Bucket {
	if r == nil {
		return local
	}
	return &redisBucket{r: r, prefix: r.prefix + "rate:" + name + ":", rate: rate, burst: burst, local: local}
}

type redisBucket struct {
	r      *Redis
	prefix string
	rate   float64
	burst  int
	local  *Limiter
}

func (b *redisBucket) Allow(key string) (bool, time.Duration) {
	if b.rate <= 0 {
		return true, 0
	}
	if !b.r.usable() {
		return b.local.Allow(key)
	}
	interval := math.Max(1, math.Round(1e6/b.rate)) // microseconds a token
	v, err := b.r.run(gcra, []string{b.prefix + key}, interval, b.burst)
	if err != nil || len(v) != 2 {
		return b.local.Allow(key)
	}
	return v[0] == 1, time.Duration(v[1]) * time.Microsecond
}

// acquireSlot keeps the holders of a limit's slots in two sorted sets, all
// of them and those of one key, scored by when their lease ends: a holder
// that died without giving its slot back loses it then. Both keys carry
// the same hash tag, for Redis Cluster. It returns 0 (taken), 1 (the key's
// cap is full) or 2 (the total is full).
var acquireSlot = redis.NewScript(2, `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local total, perKey, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if perKey > 0 and redis.call('ZCARD', KEYS[2]) >= perKey then return {1} end
if total > 0 and redis.call('ZCARD', KEYS[1]) >= total then return {2} end
redis.call('ZADD', KEYS[1], now + lease, ARGV[4])
redis.call('ZADD', KEYS[2], now + lease, ARGV[4])
local ms = math.ceil(lease / 1000) + 1000
redis.call('PEXPIRE', KEYS[1], ms)
redis.call('PEXPIRE', KEYS[2], ms)
return {0}
`)

var releaseSlot = redis.NewScript(2, `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return {0}
`)

// Slots are slots named name, shared through Redis, with local as their
// fallback. lease is the longest a slot is held: past it, Redis frees it
// even if its holder never said so (a killed instance). Without Redis
// (r is nil) they are local themselves.
func (r *Redis) Slots(name string, total, perKey int, lease time.Duration, local *MemSlots) Slots {
	if r == nil {
		return local
	}
	tag := r.prefix + "{slots:" + name + "}"
	return &redisSlots{r: r, all: tag + ":all", key: tag + ":key:", total: total, perKey: perKey,
		lease: max(lease, time.Second), local: local}
}

type redisSlots struct {
	r             *Redis
	all, key      string
	total, perKey int
	lease         time.Duration
	local         *MemSlots
}

func (s *redisSlots) Acquire(key string) (func(), Full) {
	if !s.r.usable() {
		return s.local.Acquire(key)
	}
	id := fmt.Sprintf("%s-%d", s.r.holderID, s.r.holder.Add(1))
	keys := []string{s.all, s.key + key}
	v, err := s.r.run(acquireSlot, keys, s.total, s.perKey, s.lease.Microseconds(), id)
	if err != nil || len(v) != 1 {
		return s.local.Acquire(key)
	}
	switch v[0] {
	case 1:
		return nil, KeyFull
	case 2:
		return nil, TotalFull
	}
	var once sync.Once
	return func() {
		once.Do(func() { s.r.run(releaseSlot, keys, id) }) // on failure, the lease frees it
	}, NotFull
}
