package live

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"khabar/internal/news"
)

// Serve streams topic to the page as Server-Sent Events until it leaves
// or falls too far behind; ip is the reader's address, whose streams the
// hub bounds.
func Serve(w http.ResponseWriter, r *http.Request, hub *Hub, topic, ip string) {
	// A reconnecting stream says what it saw last; a page opening one says
	// which event it was rendered at.
	seen := r.Header.Get("Last-Event-ID")
	if seen == "" {
		seen = r.URL.Query().Get("since")
	}
	last, err := strconv.ParseInt(seen, 10, 64)
	sub, err := hub.Subscribe(topic, ip, last, err == nil && last >= 0)
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, news.ErrTooMany) {
			status = http.StatusTooManyRequests
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	// The server's write timeout protects ordinary pages; a stream is
	// meant to stay open.
	rc.SetWriteDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	rc.Flush()
	tick := time.NewTicker(hub.KeepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.Gone:
			return
		case m := <-sub.C:
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
}
