package newsroom

import (
	"testing"
	"time"
)

func TestFlagDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{6 * time.Hour, "6h"},
		{90 * time.Minute, "1h30m"},
		{time.Minute, "1m"},
		{24 * time.Hour, "24h"},
		{time.Hour + 30*time.Second, "1h0m30s"},
	} {
		if got := flagDuration(c.d); got != c.want {
			t.Errorf("flagDuration(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}
