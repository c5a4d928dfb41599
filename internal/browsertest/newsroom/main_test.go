package newsroom

import (
	"testing"

	"khabar/internal/apptest"
)

// TestMain: two browser tests at a time, each with its own Chromium; go
// test may run the other browser package beside this one.
func TestMain(m *testing.M) { apptest.Main(m, 2) }
