// Package live is the real-time hub: open pages subscribe to topics
// ("ticker", an article's comments or live blog) and receive what the
// event outbox publishes. The site streams a subscription to the browser
// as Server-Sent Events; the hub knows nothing of HTTP.
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

// Hub fans messages out to the clients of each topic and keeps the last
// message of each, which is the whole state for topics like the ticker.
type Hub struct {
	mu      sync.Mutex
	clients map[string]map[*client]struct{}
	last    map[string]Message
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
	return &Hub{clients: map[string]map[*client]struct{}{}, last: map[string]Message{}, perIP: map[string]int{},
		KeepAlive: 15 * time.Second, MaxPerIP: 20, MaxStreams: 20000}
}

// Publish sends m to every client of topic, dropping those whose buffer
// is full.
func (h *Hub) Publish(topic string, m Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last[topic] = m
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
	// an older Last-Event-ID, or comes without one) gets it at once.
	if m, ok := h.last[topic]; ok && (!known || m.ID > lastSeen) {
		c.ch <- m
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
// has seen up to lastSeen (known: it said so, reconnecting) gets the
// topic's latest message at once if it missed it. Too many streams are
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
