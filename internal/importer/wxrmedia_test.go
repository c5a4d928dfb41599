package importer

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/outbound"
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

// TestWXRMediaFetched: without a copy of the uploads, attachments are
// fetched from the old site when its origin is allowed, a few at a time,
// and given to the library as uploads are; what the site does not have,
// what is not a picture, what is over the library's limit (said or not)
// and what lives on another site are skipped with their reason. A second
// import asks the old site for nothing it already gave.
func TestWXRMediaFetched(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 64, 48)), nil); err != nil {
			t.Fatal(err)
		}
		photo := b.Bytes()
		var mu sync.Mutex
		asked := map[string]int{}
		old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			asked[r.URL.Path]++
			mu.Unlock()
			switch path.Base(r.URL.Path) {
			case "photo.jpg":
				w.Header().Set("Content-Type", "image/jpeg")
				w.Write(photo)
			case "page.jpg": // a CMS's error page, said to be a picture
				w.Header().Set("Content-Type", "image/jpeg")
				io.WriteString(w, "<!doctype html><html><body>Not found, but 200</body></html>")
			case "huge.jpg": // a picture that never ends, its size unsaid
				w.Write(photo)
				pad := make([]byte, 1<<20)
				for range 64 {
					if _, err := w.Write(pad); err != nil {
						return
					}
				}
			case "said.jpg": // a size over the limit, said before the body
				w.Header().Set("Content-Length", strconv.Itoa(1<<30))
				w.Write(photo)
			default:
				http.NotFound(w, r)
			}
		}))
		defer old.Close()
		items := ""
		for i, u := range []string{old.URL + "/wp-content/uploads/2024/01/photo.jpg", old.URL + "/wp-content/uploads/2024/01/gone.jpg",
			old.URL + "/wp-content/uploads/2024/01/page.jpg", old.URL + "/wp-content/uploads/2024/01/huge.jpg",
			old.URL + "/wp-content/uploads/2024/01/said.jpg", "https://elsewhere.example/wp-content/uploads/2024/01/photo.jpg"} {
			items += fmt.Sprintf(`<item><title>صورة %d</title><wp:post_id>%d</wp:post_id><wp:post_type>attachment</wp:post_type><wp:post_parent>1</wp:post_parent>
<wp:attachment_url>%s</wp:attachment_url></item>`, i, 101+i, u)
		}
		src := `<?xml version="1.0" encoding="UTF-8"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>الجريدة القديمة</title><link>https://old.example</link><wp:wxr_version>1.2</wp:wxr_version>` + items + `
<item><title>خبر مصور</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status><wp:post_name>khabar</wp:post_name>
<content:encoded><![CDATA[<p>نص</p><img src="` + old.URL + `/wp-content/uploads/2024/01/photo-300x200.jpg">]]></content:encoded>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>101</wp:meta_value></wp:postmeta></item>
</channel></rss>`
		export := filepath.Join(t.TempDir(), "export.xml")
		if err := os.WriteFile(export, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		opt := WXROptions{Library: library(t, s), MediaOrigins: []string{"https://cdn.old.example", strings.ToLower(old.URL)},
			Client: outbound.Guard{AllowPrivate: true}.Client(nil)}
		st := importWXR(t, s, export, opt)
		for reason, n := range map[string]int{
			"attachment not fetched from the old site (HTTP 404)":        1,
			"attachment refused by the media library (unsupported_type)": 1,
			"attachment refused by the media library (too_large)":        2,
			"attachment on a site not in --media-origin":                 1,
		} {
			if st.Skipped[reason] != n {
				t.Errorf("skipped %q: %d, want %d:\n%s", reason, st.Skipped[reason], n, st.Summary())
			}
		}
		if st.Made["media"] != 1 || st.Imported != 1 {
			t.Errorf("summary:\n%s", st.Summary())
		}
		a := articlesByTitle(t, s)["خبر مصور"]
		if a == nil || a.FeaturedID == 0 || len(a.Body) != 2 || a.Body[1].MediaID != a.FeaturedID {
			t.Fatalf("article %+v", a)
		}
		m, err := s.GetMedia(context.Background(), a.FeaturedID)
		if err != nil || m.Width != 64 || m.SizesState != news.SizesPending || m.Credit != "الجريدة القديمة" {
			t.Errorf("library item %+v (%v)", m, err)
		}

		again := importWXR(t, s, export, opt)
		if again.Made["media"] != 0 {
			t.Errorf("second import:\n%s", again.Summary())
		}
		mu.Lock()
		defer mu.Unlock()
		if n := asked["/wp-content/uploads/2024/01/photo.jpg"]; n != 1 {
			t.Errorf("the old site was asked %d times for a picture already imported", n)
		}
		if n := asked["/wp-content/uploads/2024/01/photo-300x200.jpg"]; n != 0 {
			t.Errorf("a size in the content was fetched %d times", n)
		}
	})
}

func TestParseOrigins(t *testing.T) {
	for _, c := range []struct {
		in, want, err string
	}{
		{"https://Old.Example.com/, https://cdn.example.com:8443", "https://old.example.com https://cdn.example.com:8443", ""},
		{"", "", ""},
		{"ftp://old.example", "", "want http:// or https://"},
		{"old.example", "", "want http:// or https://"},
		{"https://old.example/wp-content", "", "a scheme and a host only"},
		{"https://user:pw@old.example", "", "a scheme and a host only"},
		{"https://old.example/?x=1", "", "a scheme and a host only"},
		{"https://%zz", "", "not an address"},
	} {
		got, err := ParseOrigins(c.in)
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) || c.err == "" && err != nil || strings.Join(got, " ") != c.want {
			t.Errorf("%q: %q, %v; want %q, %q", c.in, got, err, c.want, c.err)
		}
	}
}
