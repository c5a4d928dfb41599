package site

import (
	"net/http"
	"os"
	"path/filepath"

	"khabar/internal/media"
	"khabar/internal/news"
)

// serveThumb is /media/youtube/{file}: a kept video thumbnail or 404.
// It serves our files only, never fetches (see media.YouTube).
func (s *Site) serveThumb(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id := file[:max(0, len(file)-len(".jpg"))]
	if !s.thumbs || id+".jpg" != file || news.YouTubeID("https://youtu.be/"+id) != id {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	f, err := os.Open(filepath.Join(s.mediaDir, filepath.FromSlash(media.ThumbnailKey(id))))
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
