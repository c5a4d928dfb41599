package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/wxr"
)

// uploadsDir is where WordPress keeps uploads under the site's address.
const uploadsDir = "/wp-content/uploads/"

// media brings the export's attachments into the library, as uploads
// are: checked by content, EXIF stripped, kept once, their sizes made
// later by the job queue. The files come from the copy of
// wp-content/uploads in opt.MediaDir or, failing that, from the old site
// itself when its origin is in opt.MediaOrigins. It runs before the
// posts, which show them; an attachment imported before is neither read
// nor fetched again.
func (im *wxrImporter) media(ctx context.Context) error {
	im.library, im.bySrc = map[int64]news.Media{}, map[string]news.Media{}
	if im.opt.Library == nil || im.opt.MediaDir == "" && len(im.opt.MediaOrigins) == 0 {
		if len(im.plan.attachments) > 0 {
			im.warn("attachments left out: neither --media nor --media-origin given")
		}
		return nil
	}
	var (
		root *os.Root
		err  error
	)
	if im.opt.MediaDir != "" {
		if root, err = os.OpenRoot(im.opt.MediaDir); err != nil {
			return fmt.Errorf("media folder: %w", err)
		}
		defer root.Close()
	}
	// Files are read one at a time; the old site is asked a few at a
	// time, its answers mostly waiting.
	workers := 1
	if root == nil {
		workers = mediaFetches
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	todo := make(chan *wxr.Item)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for at := range todo {
				if err := im.attachment(ctx, root, at); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, at := range im.plan.attachments {
		select {
		case todo <- at:
		case <-ctx.Done():
			break feed
		}
	}
	close(todo)
	wg.Wait()
	return context.Cause(ctx)
}

// ParseOrigins reads --media-origin's comma-separated list of the old
// site's origins (https://old.example, http://cdn.old.example:8080): a
// scheme and a host, nothing after, as MediaOrigins holds them.
func ParseOrigins(list string) ([]string, error) {
	var origins []string
	for raw := range strings.SplitSeq(list, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			return nil, fmt.Errorf("origin %q: not an address", raw)
		case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
			return nil, fmt.Errorf("origin %q: want http:// or https:// and a host", raw)
		case u.User != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "":
			return nil, fmt.Errorf("origin %q: want a scheme and a host only, as https://old.example", raw)
		}
		origins = append(origins, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return origins, nil
}

// mediaFetches is how many attachments are asked of the old site at once.
const mediaFetches = 4

func (im *wxrImporter) attachment(ctx context.Context, root *os.Root, at *wxr.Item) error {
	rel := uploadPath(at)
	switch {
	case rel == "":
		im.skip("attachment without a file")
		return nil
	case !filepath.IsLocal(filepath.FromSlash(rel)):
		// ../ or an absolute path: never outside the media folder.
		im.skip("attachment path leaving the media folder refused")
		return nil
	}
	key := strconv.FormatInt(at.PostID, 10)
	if k, err := im.key(ctx, "attachment", key); err != nil {
		return err
	} else if k != nil && !im.opt.DryRun {
		if m, err := im.store.GetMedia(ctx, k.Target); err == nil {
			im.keep(at, rel, *m)
			return nil
		} else if !errors.Is(err, news.ErrNotFound) {
			return err
		}
	}
	f, skip, err := im.mediaFile(ctx, root, at, rel)
	if err != nil || skip != "" {
		if skip != "" {
			im.skip(skip)
		}
		return err
	}
	defer f.Close()
	if im.opt.DryRun {
		im.made("media")
		return nil
	}
	in, err := im.opt.Library.Ingest(ctx, f)
	if code := media.Code(err); code != "" {
		im.skip("attachment refused by the media library (" + code + ")")
		return nil
	}
	if err != nil {
		return fmt.Errorf("attachment %s: %w", rel, err)
	}
	m := *in.Media
	// Pictures need alt text, a caption and a credit before an article
	// showing them is published; WordPress asks for none of them.
	title := news.CleanLine(at.Title)
	alt := news.CleanLine(at.MetaValue("_wp_attachment_image_alt"))
	caption := news.CleanLine(news.StripTags(at.Excerpt))
	if m.Alt == "" {
		m.Alt = firstOf(alt, caption, title, path.Base(rel))
	}
	if m.Caption == "" {
		m.Caption = firstOf(caption, title, m.Alt)
	}
	if m.Credit == "" {
		m.Credit = firstOf(im.siteTitle, im.source)
		im.warn("pictures credited to the old site: check their credits in the library")
	}
	if err := im.store.UpdateMediaText(ctx, &m); err != nil {
		return fmt.Errorf("attachment %s: %w", rel, err)
	}
	im.made("media")
	if err := im.saveKey(ctx, "attachment", key, at.GUID, m.ID, ""); err != nil {
		return err
	}
	im.keep(at, rel, m)
	return im.redirects(ctx, "/media/"+m.Path, uploadsDir+rel, at.AttachmentURL)
}

// mediaFile opens an attachment's file: from the media folder when there
// is one, else from the old site. A non-empty skip says why there is
// none; a dry run asks nothing of the old site.
func (im *wxrImporter) mediaFile(ctx context.Context, root *os.Root, at *wxr.Item, rel string) (io.ReadCloser, string, error) {
	if root != nil {
		f, err := root.Open(filepath.FromSlash(rel))
		if err != nil {
			return nil, "attachment file missing from the media folder", nil
		}
		return f, "", nil
	}
	u, err := url.Parse(at.AttachmentURL)
	if err != nil || at.AttachmentURL == "" {
		return nil, "attachment without an address to fetch", nil
	}
	if !slices.Contains(im.opt.MediaOrigins, strings.ToLower(u.Scheme+"://"+u.Host)) {
		return nil, "attachment on a site not in --media-origin", nil
	}
	if im.opt.DryRun {
		return io.NopCloser(strings.NewReader("")), "", nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "attachment without an address to fetch", nil
	}
	resp, err := im.opt.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", context.Cause(ctx)
		}
		return nil, "attachment not fetched from the old site (no answer)", nil
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Sprintf("attachment not fetched from the old site (HTTP %d)", resp.StatusCode), nil
	}
	if lim := im.opt.Library.Limits().MaxBytes; resp.ContentLength > lim {
		// Said before it is sent: nothing is read. A body that does not
		// say is cut by the library at the same limit.
		resp.Body.Close()
		return nil, "attachment refused by the media library (" + media.Code(media.ErrTooLarge) + ")", nil
	}
	return resp.Body, "", nil
}

// keep remembers a library item by its attachment id and file.
func (im *wxrImporter) keep(at *wxr.Item, rel string, m news.Media) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.library[at.PostID] = m
	im.bySrc[strings.ToLower(rel)] = m
}

// uploadPath is the attachment's file under wp-content/uploads.
func uploadPath(at *wxr.Item) string {
	if rel := at.MetaValue("_wp_attached_file"); rel != "" {
		return strings.TrimPrefix(rel, "/")
	}
	return uploadsRel(at.AttachmentURL)
}

// uploadsRel is the part of an uploads address after wp-content/uploads/,
// decoded, or its whole path when it has none (WordPress.com serves
// uploads from a host of their own: files.wordpress.com/2008/06/a.jpg).
func uploadsRel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return ""
	}
	if _, rel, ok := strings.Cut(u.Path, uploadsDir); ok {
		return rel
	}
	return strings.TrimPrefix(u.Path, "/")
}

// imageBySrc finds a picture of the content by its address: the file
// itself or one of the sizes WordPress made of it.
func (im *wxrImporter) imageBySrc(src string) (news.Media, bool) {
	rel := uploadsRel(src)
	if rel == "" {
		return news.Media{}, false
	}
	keys := news.RedirectKeys(uploadsDir+rel, "")
	for _, k := range keys {
		if m, ok := im.bySrc[strings.TrimPrefix(k, uploadsDir)]; ok {
			return m, true
		}
	}
	return news.Media{}, false
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
