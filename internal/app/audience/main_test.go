// Package audience_test holds the end-to-end tests of what reaches readers
// and the operator as it happens: alerts, comments, live blogs, the
// ticker, newsletters, WebSub pings and metrics. They were internal/app's
// and are a package of their own so each half stays well inside go test's
// ten minutes a package under -race.
package audience_test

import (
	"testing"

	"khabar/internal/apptest"
)

// TestMain: four end-to-end tests at a time.
func TestMain(m *testing.M) { apptest.Main(m, 4) }
