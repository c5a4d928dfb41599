// Package live is the real-time hub: pages subscribe to topics ("ticker")
// over Server-Sent Events and receive what the event outbox publishes.
package live

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"khabar/internal/web"
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
	// KeepAlive is how often an idle stream gets a comment line, so
	// proxies do not time it out.
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

// admit counts a new stream, or returns the status refusing it.
func (h *Hub) admit(ip string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.streams >= h.MaxStreams:
		return http.StatusServiceUnavailable
	case h.perIP[ip] >= h.MaxPerIP:
		return http.StatusTooManyRequests
	}
	h.streams++
	h.perIP[ip]++
	return 0
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

// Handler streams topic to the client until it leaves or falls too far
// behind.
func (h *Hub) Handler(topic string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := web.ClientIP(r)
		if status := h.admit(ip); status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
		defer h.release(ip)
		rc := http.NewResponseController(w)
		// The server's write timeout protects ordinary pages; a stream is
		// meant to stay open.
		rc.SetWriteDeadline(time.Time{})
		last, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
		c := h.subscribe(topic, last, err == nil)
		defer h.unsubscribe(topic, c)
		hd := w.Header()
		hd.Set("Content-Type", "text/event-stream; charset=utf-8")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "retry: 3000\n\n")
		rc.Flush()
		tick := time.NewTicker(h.KeepAlive)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-c.gone:
				return
			case m := <-c.ch:
				if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, m.Event, m.Data); err != nil {
					return
				}
			case <-tick.C:
				if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
					return
				}
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
}
