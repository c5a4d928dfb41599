package auth

import (
	"time"

	"khabar/internal/throttle"
)

// SlowRefill gives s its budgets' bursts with a refill of an hour, so a
// test sees the bursts alone however slowly the machine hashes (under the
// race detector an argon2id run takes seconds, and twenty of them outlast
// the address budget's 45 s refill).
func SlowRefill(s *Service) {
	s.byPair, s.byAddr, s.byUser = throttle.NewLimiter(5, time.Hour), throttle.NewLimiter(20, time.Hour), throttle.NewLimiter(5, time.Hour)
}
