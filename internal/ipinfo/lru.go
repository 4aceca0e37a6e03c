package ipinfo

import (
	"container/list"
	"time"
)

// lru is a map of at most max entries that forgets the least recently
// used one to make room, and each entry at its expiry. It is not safe
// for concurrent use: its owner holds a lock.
type lru[K comparable, V any] struct {
	max   int
	items map[K]*list.Element
	order list.List // of *lruEntry; the front is the most recently used
}

type lruEntry[K comparable, V any] struct {
	key     K
	val     V
	expires time.Time
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, items: make(map[K]*list.Element)}
}

// get is k's value, if it is there and has not expired at now.
func (c *lru[K, V]) get(k K, now time.Time) (V, bool) {
	var zero V
	el, ok := c.items[k]
	if !ok {
		return zero, false
	}
	e := el.Value.(*lruEntry[K, V])
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, k)
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.val, true
}

// put sets k to v until expires, forgetting the least recently used
// entry if the map is full.
func (c *lru[K, V]) put(k K, v V, expires time.Time) {
	if el, ok := c.items[k]; ok {
		e := el.Value.(*lruEntry[K, V])
		e.val, e.expires = v, expires
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.max {
		if old := c.order.Back(); old != nil {
			c.order.Remove(old)
			delete(c.items, old.Value.(*lruEntry[K, V]).key)
		}
	}
	c.items[k] = c.order.PushFront(&lruEntry[K, V]{key: k, val: v, expires: expires})
}

func (c *lru[K, V]) len() int { return c.order.Len() }
