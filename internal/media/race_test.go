//go:build race

package media

// raceEnabled: the race detector slows decoding tenfold, and its own
// memory is not what a memory test measures.
const raceEnabled = true
