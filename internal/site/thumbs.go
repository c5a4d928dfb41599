package site

import (
	"net/http"

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
	s.serveFile(w, r, media.ThumbnailKey(id), "public, max-age=604800")
}
