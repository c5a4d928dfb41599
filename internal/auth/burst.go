package auth

import (
	"sync"
	"time"
)

// A burst of failed logins on one account, from however many addresses:
// burstFailures within burstWindow. It is noted once (an audit entry and
// a notice to the account's holder), and ends after a quiet burstWindow.
const (
	burstFailures = 10
	burstWindow   = 15 * time.Minute
	// burstAddresses bounds the addresses a burst remembers, to count
	// them; past it they are still counted as failures.
	burstAddresses = 1000
)

// burstWatch counts failed logins per account on this node.
type burstWatch struct {
	mu       sync.Mutex
	accounts map[int64]*burst
}

type burst struct {
	times []time.Time // the last failures within the window, oldest first
	addrs map[string]bool
	noted bool
}

func newBurstWatch() *burstWatch { return &burstWatch{accounts: map[int64]*burst{}} }

// fail records a failed login on account id from addr at now. alarm is
// true once per burst, at the failure that makes it one; failures and
// addresses are the burst's so far.
func (w *burstWatch) fail(id int64, addr string, now time.Time) (failures, addresses int, alarm bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.accounts[id]
	if b == nil || now.Sub(b.times[len(b.times)-1]) > burstWindow {
		b = &burst{addrs: map[string]bool{}}
		w.accounts[id] = b
	}
	// Only the last burstFailures matter: whether they fit in the window.
	b.times = append(b.times, now)
	for len(b.times) > burstFailures || now.Sub(b.times[0]) > burstWindow {
		b.times = b.times[1:]
	}
	if len(b.addrs) < burstAddresses {
		b.addrs[addr] = true
	}
	if len(b.times) >= burstFailures && !b.noted {
		b.noted, alarm = true, true
	}
	return len(b.times), len(b.addrs), alarm
}
