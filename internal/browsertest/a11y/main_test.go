package a11y

import (
	"testing"

	"khabar/internal/apptest"
)

// TestMain: the accessibility test's pages, two at a time; go test may run
// the other browser packages beside this one.
func TestMain(m *testing.M) { apptest.Main(m, 2) }
