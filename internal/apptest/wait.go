package apptest

import (
	"testing"
	"time"
)

// WaitFor polls cond until it holds, for up to thirty seconds (a loaded
// two-core machine running other packages beside).
func WaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	WaitWithin(t, 30*time.Second, what, cond)
}

// WaitWithin is WaitFor with its own deadline.
func WaitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
