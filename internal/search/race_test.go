//go:build race

package search_test

// raceEnabled: the race detector is on, and slow SQL (SQLite runs in Go
// here) is ten times slower.
const raceEnabled = true
