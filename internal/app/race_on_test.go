//go:build race

package app_test

// raceAllocs is what the race detector adds to a request's allocations
// (its own bookkeeping), so that the pins hold in CI, which runs -race.
const raceAllocs = 2
