// Package live is the real-time hub: open pages subscribe to topics
// ("ticker", an article's comments or live blog) and receive what the
// event outbox publishes. Serve streams a subscription to the browser as
// Server-Sent Events; the hub itself knows nothing of HTTP.
package live

import (
	"fmt"
	"sync"
	"time"

	"khabar/internal/news"
)

// Message is one server-sent event.
type Message struct {
	ID    int64  // the outbox event id: clients resume from it
	Event string // the SSE event name
	Data  []byte // one line of JSON
}

// clientBuffer is how many messages a client may fall behind before it is
// dropped: a slow reader must never hold back the others.
const clientBuffer = 16

type client struct {
	ch   chan Message
	gone chan struct{}
	once sync.Once
}

func (c *client) drop() { c.once.Do(func() { close(c.gone) }) }

// Hub fans messages out to the clients of each topic. A topic is of one
// of two kinds. A state topic (the ticker) is published whole each time:
// its last message is kept and given to every new client. An incremental
// topic (an article's comments, its live blog) is appended to change by
// change: its recent changes are kept a few minutes and given only to a
// client that says what it has seen (the page's render, or the stream's
// Last-Event-ID), and only those it has not; to anyone else an old change
// would be news again (a comment long pushed off the page put back on top).
type Hub struct {
	mu      sync.Mutex
	clients map[string]map[*client]struct{}
	last    map[string]Message
	recent  map[string][]kept
	appends int
	// now is the hub's clock, for the age of recent changes.
	now     func() time.Time
	closed  bool
	perIP   map[string]int
	streams int
	// MaxPerIP and MaxStreams bound open streams: each holds a goroutine
	// and a connection for as long as the reader stays.
	MaxPerIP   int
	MaxStreams int
	// KeepAlive is how often an idle stream should get a comment line,
	// so proxies do not time it out.
	KeepAlive time.Duration
}

// NewHub makes an empty hub.
func NewHub() *Hub {
	return &Hub{clients: map[string]map[*client]struct{}{}, last: map[string]Message{}, recent: map[string][]kept{}, perIP: map[string]int{},
		now: time.Now, KeepAlive: 15 * time.Second, MaxPerIP: 20, MaxStreams: 20000}
}

// kept is a change of an incremental topic and when it was appended.
type kept struct {
	m  Message
	at time.Time
}

// How many recent changes an incremental topic keeps, and for how long: a
// page opens its stream a moment after it is served, and a dropped stream
// reconnects within seconds.
const (
	recentChanges = 8
	recentAge     = 5 * time.Minute
	// sweepEvery appends, topics nobody appends to any more are emptied.
	sweepEvery = 1024
)

// Publish sends m, the whole state of topic, to every client of topic,
// and keeps it for the clients to come.
func (h *Hub) Publish(topic string, m Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last[topic] = m
	h.send(topic, m)
}

// Append sends m, a change of topic, to every client of topic, and keeps
// it a few minutes for those that open their stream from an older state.
func (h *Hub) Append(topic string, m Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	h.recent[topic] = append(h.fresh(topic, now), kept{m: m, at: now})
	if n := len(h.recent[topic]); n > recentChanges {
		h.recent[topic] = h.recent[topic][n-recentChanges:]
	}
	if h.appends++; h.appends%sweepEvery == 0 {
		for t := range h.recent {
			h.fresh(t, now)
		}
	}
	h.send(topic, m)
}

// fresh drops topic's changes older than recentAge and returns the rest.
func (h *Hub) fresh(topic string, now time.Time) []kept {
	list := h.recent[topic]
	i := 0
	for i < len(list) && now.Sub(list[i].at) > recentAge {
		i++
	}
	if list = list[i:]; len(list) == 0 {
		delete(h.recent, topic)
		return nil
	}
	h.recent[topic] = list
	return list
}

// send gives m to every client of topic, dropping those whose buffer is
// full. The caller holds h.mu.
func (h *Hub) send(topic string, m Message) {
	for c := range h.clients[topic] {
		select {
		case c.ch <- m:
		default:
			delete(h.clients[topic], c)
			c.drop()
		}
	}
}

// admit counts a new stream, or says why not: the node carries all it
// can, or this address has enough open.
func (h *Hub) admit(ip string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.streams >= h.MaxStreams:
		return fmt.Errorf("live: %d streams open: %w", h.streams, news.ErrUnavailable)
	case h.perIP[ip] >= h.MaxPerIP:
		return fmt.Errorf("live: %d streams from one address: %w", h.perIP[ip], news.ErrTooMany)
	}
	h.streams++
	h.perIP[ip]++
	return nil
}

func (h *Hub) release(ip string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.streams--
	if h.perIP[ip]--; h.perIP[ip] <= 0 {
		delete(h.perIP, ip)
	}
}

// Close ends every stream, for a graceful shutdown (which otherwise waits
// for streams that never end by themselves).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, cs := range h.clients {
		for c := range cs {
			c.drop()
		}
	}
	h.clients = map[string]map[*client]struct{}{}
}

// Clients counts the subscribers of a topic.
func (h *Hub) Clients(topic string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients[topic])
}

func (h *Hub) subscribe(topic string, lastSeen int64, known bool) *client {
	c := &client{ch: make(chan Message, clientBuffer), gone: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		c.drop()
		return c
	}
	if h.clients[topic] == nil {
		h.clients[topic] = map[*client]struct{}{}
	}
	h.clients[topic][c] = struct{}{}
	// Catch-up: a client that missed the latest state (it reconnects with
	// an older Last-Event-ID, or comes without one) gets it at once; one
	// that says what it has seen gets the changes since, if still kept.
	if m, ok := h.last[topic]; ok && (!known || m.ID > lastSeen) {
		c.ch <- m
	}
	if known {
		for _, k := range h.fresh(topic, h.now()) {
			if k.m.ID > lastSeen && len(c.ch) < cap(c.ch) {
				c.ch <- k.m
			}
		}
	}
	return c
}

func (h *Hub) unsubscribe(topic string, c *client) {
	h.mu.Lock()
	delete(h.clients[topic], c)
	if len(h.clients[topic]) == 0 {
		delete(h.clients, topic) // topics come and go with articles
	}
	h.mu.Unlock()
	c.drop()
}

// Subscription is one open page's stream of a topic: messages arrive on
// C until Gone closes (the reader fell too far behind, or the hub closed).
type Subscription struct {
	C    <-chan Message
	Gone <-chan struct{}
	done func()
}

// Close ends the subscription; call it when the page leaves.
func (s *Subscription) Close() { s.done() }

// Subscribe opens a stream of topic for a page at address ip. A page that
// has seen up to lastSeen (known: it said so) gets at once the state it
// missed, or the changes since; one that did not say gets a state topic's
// state and no old change. Too many streams are
// refused with news.ErrTooMany (per address) or news.ErrUnavailable.
func (h *Hub) Subscribe(topic, ip string, lastSeen int64, known bool) (*Subscription, error) {
	if err := h.admit(ip); err != nil {
		return nil, err
	}
	c := h.subscribe(topic, lastSeen, known)
	var once sync.Once
	return &Subscription{C: c.ch, Gone: c.gone, done: func() {
		once.Do(func() {
			h.unsubscribe(topic, c)
			h.release(ip)
		})
	}}, nil
}
