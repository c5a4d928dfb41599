package importer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/wxr"
)

// uploadsDir is where WordPress keeps uploads under the site's address.
const uploadsDir = "/wp-content/uploads/"

// media brings the export's attachments into the library from the copy
// of wp-content/uploads in opt.MediaDir, as uploads are: checked by
// content, EXIF stripped, kept once, their sizes made later by the job
// queue. It runs before the posts, which show them.
func (im *wxrImporter) media(ctx context.Context) error {
	im.library, im.bySrc = map[int64]news.Media{}, map[string]news.Media{}
	if im.opt.MediaDir == "" || im.opt.Library == nil {
		if len(im.plan.attachments) > 0 {
			im.warn("attachments left out: no --media folder given")
		}
		return nil
	}
	root, err := os.OpenRoot(im.opt.MediaDir)
	if err != nil {
		return fmt.Errorf("media folder: %w", err)
	}
	defer root.Close()
	for _, at := range im.plan.attachments {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := im.attachment(ctx, root, at); err != nil {
			return err
		}
	}
	return nil
}

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
	f, err := root.Open(filepath.FromSlash(rel))
	if err != nil {
		im.skip("attachment file missing from the media folder")
		return nil
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

// keep remembers a library item by its attachment id and file.
func (im *wxrImporter) keep(at *wxr.Item, rel string, m news.Media) {
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
