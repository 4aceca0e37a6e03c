package live

import (
	"sync"
)

// slots caps requests waiting out a delay: in all and per client address.
type slots struct {
	mu     sync.Mutex
	total  int
	max    int
	perKey map[string]int
	maxKey int
}

func newSlots(max, perKey int) *slots {
	return &slots{max: max, maxKey: perKey, perKey: map[string]int{}}
}

// acquire takes a slot for key, or reports which cap is full.
func (s *slots) acquire(key string) (ok bool, perKeyFull bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perKey[key] >= s.maxKey {
		return false, true
	}
	if s.total >= s.max {
		return false, false
	}
	s.total++
	s.perKey[key]++
	return true, false
}

func (s *slots) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total--
	if s.perKey[key]--; s.perKey[key] <= 0 {
		delete(s.perKey, key)
	}
}
