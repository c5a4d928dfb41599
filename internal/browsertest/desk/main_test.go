// Package desk holds the newsroom's browser tests around the writing
// surface: the wire desk, the alert room, the live statistics, autosave
// and locks. They were one package with internal/browsertest/newsroom
// until it came near go test's ten minutes under the race detector on a
// slow machine.
package desk

import (
	"testing"

	"khabar/internal/apptest"
)

// TestMain: two browser tests at a time, each with its own Chromium; go
// test may run another browser package beside this one.
func TestMain(m *testing.M) { apptest.Main(m, 2) }
