package importer

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/wxr"
)

// uploadsCopy writes a picture for every image attachment of the export
// at the path its address names, as a copy of wp-content/uploads holds.
func uploadsCopy(t *testing.T, export string) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := wxr.NewReader(f, 0)
	for i := 0; ; i++ {
		rec, err := rd.Next()
		if err == io.EOF {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		it, ok := rec.(*wxr.Item)
		if !ok || it.PostType != "attachment" {
			continue
		}
		rel := uploadPath(it)
		img := image.NewRGBA(image.Rect(0, 0, 40+i, 30))
		for x := range 40 + i {
			img.Set(x, x%30, color.RGBA{uint8(i * 7), 80, 160, 255})
		}
		var b bytes.Buffer
		switch strings.ToLower(filepath.Ext(rel)) {
		case ".jpg", ".jpeg":
			err = jpeg.Encode(&b, img, nil)
		case ".gif":
			err = gif.Encode(&b, img, nil)
		default:
			b.WriteString("not a picture") // the .mov and .mp3
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func library(t *testing.T, s *store.Store) *media.Library {
	t.Helper()
	files, err := media.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	return media.NewLibrary(s, files, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestWXRMedia(t *testing.T) {
	path := filepath.Join(wxrFixtures(t), "themeunittestdata.wordpress.xml")
	uploads := uploadsCopy(t, path)
	storetest.Each(t, func(t *testing.T, s *store.Store) { testWXRMedia(t, s, path, uploads) })
}

// testWXRMedia imports the theme unit test data with a copy of its
// uploads: pictures become library items with alt text, caption and
// credit, featured images and pictures in the content point at them, and
// the files' old addresses redirect to them; the video and the sound are
// refused by the library's checks, as uploads are.
func testWXRMedia(t *testing.T, s *store.Store, path, uploads string) {
	ctx := context.Background()
	lib := library(t, s)
	st := importWXR(t, s, path, WXROptions{MediaDir: uploads, Library: lib})
	if st.Made["media"] != 35 || st.Skipped["attachment refused by the media library (unsupported_type)"] != 2 {
		t.Errorf("media:\n%s", st.Summary())
	}
	if st.Imported != 79 {
		t.Errorf("with media:\n%s", st.Summary())
	}
	featured, images := 0, 0
	for _, a := range imported(t, s) {
		if a.FeaturedID > 0 {
			featured++
		}
		for _, b := range a.Body {
			if b.Type == news.BlockImage {
				images++
			}
		}
	}
	if featured == 0 || images < 10 {
		t.Errorf("%d featured images, %d image blocks", featured, images)
	}
	m, err := s.MediaBySHA256(ctx, mustMedia(t, s).SHA256)
	if err != nil || m.Alt == "" || m.Caption == "" || m.Credit != "Theme Unit Test Data" {
		t.Errorf("library item %+v (%v)", m, err)
	}
	target, err := s.RedirectTarget(ctx, news.RedirectKeys("/2008/06/canola2.jpg", ""))
	if err != nil || !strings.HasPrefix(target, "/media/") {
		t.Errorf("the old file's address: %q (%v)", target, err)
	}
	// Again: the same items, nothing new in the library.
	again := importWXR(t, s, path, WXROptions{MediaDir: uploads, Library: lib})
	if again.Made["media"] != 0 || again.Imported != 0 || again.Updated != 0 {
		t.Errorf("second import:\n%s", again.Summary())
	}
	if n, _ := s.CountMedia(ctx, store.MediaFilter{}); n != 35 {
		t.Errorf("%d library items after the second import, want 35", n)
	}
}

func mustMedia(t *testing.T, s *store.Store) news.Media {
	t.Helper()
	list, err := s.ListMedia(context.Background(), 1, 0)
	if err != nil || len(list) == 0 {
		t.Fatalf("no media (%v)", err)
	}
	return list[0]
}

// TestWXRMediaHostile: attachment paths leaving the media folder are
// refused, whatever the export says.
func TestWXRMediaHostile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		dir := t.TempDir()
		uploads := filepath.Join(dir, "uploads")
		if err := os.MkdirAll(uploads, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "secret.jpg"), []byte("secret"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(dir, "secret.jpg"), filepath.Join(uploads, "link.jpg")); err != nil {
			t.Fatal(err)
		}
		export := filepath.Join(dir, "export.xml")
		items := ""
		for i, p := range []string{"../secret.jpg", "/etc/passwd", "2020/../../secret.jpg", "link.jpg"} {
			items += `<item><title>a</title><wp:post_id>` + string(rune('1'+i)) + `</wp:post_id><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>https://old.example/wp-content/uploads/x.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>` + p + `</wp:meta_value></wp:postmeta></item>`
		}
		src := `<?xml version="1.0" encoding="UTF-8"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>` + items + `</channel></rss>`
		if err := os.WriteFile(export, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		st := importWXR(t, s, export, WXROptions{MediaDir: uploads, Library: library(t, s)})
		if st.Skipped["attachment path leaving the media folder refused"] != 2 || st.Skipped["attachment file missing from the media folder"] != 2 || st.Made["media"] != 0 {
			t.Errorf("hostile paths:\n%s", st.Summary())
		}
	})
}
