package ratelimit

import "sync"

// Full says which cap refused a slot.
type Full int

const (
	NotFull   Full = iota
	KeyFull        // the key holds as many slots as it may
	TotalFull      // every slot is taken
)

// Slots caps what is held at once: in all and per key.
type Slots interface {
	// Acquire takes a slot for key and returns the function that gives it
	// back, or nil and the cap that is full.
	Acquire(key string) (release func(), full Full)
}

// MemSlots are slots in this process's memory. A cap of 0 or less is no
// cap.
type MemSlots struct {
	mu         sync.Mutex
	total, max int
	perKey     map[string]int
	maxKey     int
}

// NewSlots makes slots with at most total held in all and perKey for one
// key.
func NewSlots(total, perKey int) *MemSlots {
	return &MemSlots{max: total, maxKey: perKey, perKey: map[string]int{}}
}

// Acquire takes a slot for key.
func (s *MemSlots) Acquire(key string) (func(), Full) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.maxKey > 0 && s.perKey[key] >= s.maxKey {
		return nil, KeyFull
	}
	if s.max > 0 && s.total >= s.max {
		return nil, TotalFull
	}
	s.total++
	s.perKey[key]++
	var once sync.Once
	return func() { once.Do(func() { s.release(key) }) }, NotFull
}

func (s *MemSlots) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total--
	if s.perKey[key]--; s.perKey[key] <= 0 {
		delete(s.perKey, key)
	}
}

// Held is the number of slots held in all.
func (s *MemSlots) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}
