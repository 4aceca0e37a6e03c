//go:build !race

package app_test

// raceAllocs is what the race detector adds to a request's allocations;
// without it, nothing.
const raceAllocs = 0
