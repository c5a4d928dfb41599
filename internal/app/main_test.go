package app_test

import (
	"testing"

	"khabar/internal/apptest"
)

// TestMain: four end-to-end tests at a time.
func TestMain(m *testing.M) { apptest.Main(m, 4) }
