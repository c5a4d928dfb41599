package site

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"khabar/internal/news"
)

// maxThumbBytes bounds a fetched thumbnail.
const maxThumbBytes = 2 << 20

// thumbs keeps YouTube thumbnails on our own disk, so the click-to-load
// facade shows the picture without the reader's browser asking YouTube for
// anything. A thumbnail is fetched only for a video an editor embedded
// (when its article renders), never because a reader asked for an id:
// the endpoint serves from disk only, so it cannot be used to make us
// fetch arbitrary URLs.
type thumbs struct {
	dir    string
	base   string // e.g. https://i.ytimg.com
	client *http.Client
	log    *slog.Logger

	mu      sync.Mutex
	pending map[string]bool
}

func newThumbs(dir, base string, log *slog.Logger) *thumbs {
	return &thumbs{dir: dir, base: base, log: log, client: &http.Client{Timeout: 10 * time.Second}, pending: map[string]bool{}}
}

func (t *thumbs) path(id string) string { return filepath.Join(t.dir, id+".jpg") }

// ensure fetches the thumbnail of a video in the background unless it is
// already on disk or on its way.
func (t *thumbs) ensure(id string) {
	if t == nil || news.YouTubeID("https://youtu.be/"+id) != id {
		return
	}
	if _, err := os.Stat(t.path(id)); err == nil {
		return
	}
	t.mu.Lock()
	if t.pending[id] {
		t.mu.Unlock()
		return
	}
	t.pending[id] = true
	t.mu.Unlock()
	go func() {
		defer func() {
			t.mu.Lock()
			delete(t.pending, id)
			t.mu.Unlock()
		}()
		if err := t.fetch(id); err != nil {
			t.log.Warn("youtube thumbnail not fetched", "id", id, "err", err)
		}
	}()
}

func (t *thumbs) fetch(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/vi/"+id+"/hqdefault.jpg", nil)
	if err != nil {
		return err
	}
	res, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxThumbBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxThumbBytes || !bytes.HasPrefix(body, []byte{0xFF, 0xD8, 0xFF}) {
		return fmt.Errorf("not a JPEG of at most %d bytes", maxThumbBytes)
	}
	if err := os.MkdirAll(t.dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(t.dir, ".thumb-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	tmp.Close()
	return os.Rename(tmp.Name(), t.path(id)) // atomic: never a half-written file
}

// serve is /media/youtube/{file}: a stored thumbnail or 404.
func (s *Site) serveThumb(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id := file[:max(0, len(file)-len(".jpg"))]
	if s.thumbs == nil || id+".jpg" != file || news.YouTubeID("https://youtu.be/"+id) != id {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	f, err := os.Open(s.thumbs.path(id))
	if err != nil {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "public, max-age=604800")
	http.ServeContent(w, r, file, st.ModTime(), f)
}
