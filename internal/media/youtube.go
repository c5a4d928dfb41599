package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"

	"khabar/internal/news"
)

// maxThumbBytes bounds a fetched thumbnail.
const maxThumbBytes = 2 << 20

// YouTube keeps video thumbnails among our own files, so the click-to-load
// facade shows the picture without the reader's browser asking YouTube for
// anything. A thumbnail is fetched only for a video an editor embedded
// (when its article renders, by the job queue), never because a reader
// asked for an id: the site serves them from our files only, so it cannot
// be made to fetch arbitrary URLs.
type YouTube struct {
	files  Store
	base   string // e.g. https://i.ytimg.com
	client *http.Client
}

// NewYouTube fetches from base into files with client, which should be
// outbound's guarded one.
func NewYouTube(files Store, base string, client *http.Client) *YouTube {
	return &YouTube{files: files, base: base, client: client}
}

// ThumbnailKey is where the thumbnail of video id is kept.
func ThumbnailKey(id string) string { return "youtube/" + id + ".jpg" }

// validVideo reports whether id is a YouTube video id and nothing more.
func validVideo(id string) bool { return id != "" && news.YouTubeID("https://youtu.be/"+id) == id }

// Missing reports whether video id is one whose thumbnail we do not have
// yet.
func (y *YouTube) Missing(ctx context.Context, id string) bool {
	if !validVideo(id) {
		return false
	}
	_, err := y.files.Stat(ctx, ThumbnailKey(id))
	return errors.Is(err, fs.ErrNotExist)
}

// Fetch gets the thumbnail of video id, checks it is a JPEG of at most
// maxThumbBytes, and keeps it (atomically: never a half-written file).
func (y *YouTube) Fetch(ctx context.Context, id string) error {
	if !validVideo(id) {
		return fmt.Errorf("youtube thumbnail: %q is not a video id", id)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, y.base+"/vi/"+id+"/hqdefault.jpg", nil)
	if err != nil {
		return fmt.Errorf("youtube thumbnail %s: %w", id, err)
	}
	res, err := y.client.Do(req)
	if err != nil {
		return fmt.Errorf("youtube thumbnail %s: %w", id, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("youtube thumbnail %s: status %s: %w", id, res.Status, errNoThumbnail)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxThumbBytes+1))
	if err != nil {
		return fmt.Errorf("youtube thumbnail %s: %w", id, err)
	}
	if len(body) > maxThumbBytes || !bytes.HasPrefix(body, []byte{0xFF, 0xD8, 0xFF}) {
		return fmt.Errorf("youtube thumbnail %s: not a JPEG of at most %d bytes: %w", id, maxThumbBytes, errNoThumbnail)
	}
	if _, err := y.files.Put(ctx, ThumbnailKey(id), bytes.NewReader(body)); err != nil {
		return fmt.Errorf("youtube thumbnail %s: %w", id, err)
	}
	return nil
}

// errNoThumbnail: YouTube answered, with no picture we would serve;
// asking again will not change it.
var errNoThumbnail = errors.New("no thumbnail")

// Permanent reports whether a Fetch error will not go away by retrying.
func Permanent(err error) bool { return errors.Is(err, errNoThumbnail) }
