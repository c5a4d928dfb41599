package newsroom

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gen2brain/webp"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

type upFile struct {
	name string
	data []byte
}

// uploaded is what the upload's JSON says of one file.
type uploaded struct {
	Name      string `json:"name"`
	ID        int64  `json:"id"`
	Duplicate bool   `json:"duplicate"`
	Failed    bool   `json:"failed"`
	Message   string `json:"message"`
}

// postFiles posts files as the upload form does without its script.
func postFiles(t *testing.T, c *storetest.Client, hdr http.Header, files ...upFile) storetest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	h := http.Header{"Content-Type": {mw.FormDataContentType()}}
	maps.Copy(h, hdr)
	return c.Do("POST", UploadPath, &b, h)
}

// upload posts files the way the library's script does, asking for JSON.
func upload(t *testing.T, c *storetest.Client, hdr http.Header, files ...upFile) (int, []uploaded) {
	t.Helper()
	h := http.Header{"Accept": {"application/json"}}
	maps.Copy(h, hdr)
	r := postFiles(t, c, h, files...)
	var out struct{ Files []uploaded }
	if r.Header.Get("Content-Type") == "application/json; charset=utf-8" {
		if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
			t.Fatalf("upload answered %d with bad JSON %q", r.Status, r.Body)
		}
	}
	return r.Status, out.Files
}

// photo is a w×h picture with some detail, different for each seed.
func photo(w, h, seed int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := m.PixOffset(x, y)
			copy(m.Pix[i:], []uint8{uint8(x*255/w + seed), uint8(y * 255 / h), uint8((x ^ y) + seed*7), 255})
		}
	}
	return m
}

func encoded(t *testing.T, encode func(io.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegOf(t *testing.T, m image.Image) []byte {
	return encoded(t, func(w io.Writer) error { return jpeg.Encode(w, m, &jpeg.Options{Quality: 85}) })
}

// withGPS puts an EXIF block after a JPEG's start marker, as a phone
// writes it: the camera's make and a GPS position.
func withGPS(j []byte) []byte {
	le := binary.LittleEndian
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	tiff = le.AppendUint16(tiff, 2) // IFD0 at 8: Make, GPS IFD
	tiff = append(le.AppendUint32(le.AppendUint16(le.AppendUint16(tiff, 0x010F), 2), 7), 38, 0, 0, 0)
	tiff = append(le.AppendUint32(le.AppendUint16(le.AppendUint16(tiff, 0x8825), 4), 1), 46, 0, 0, 0)
	tiff = append(tiff, 0, 0, 0, 0)
	tiff = append(tiff, "SpyCam\x00\x00"...) // at 38
	tiff = le.AppendUint16(tiff, 1)          // GPS IFD at 46: latitude ref
	tiff = append(le.AppendUint32(le.AppendUint16(le.AppendUint16(tiff, 1), 2), 2), 'N', 0, 0, 0)
	tiff = append(tiff, 0, 0, 0, 0)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(seg)+2))
	return append(append(append([]byte{}, j[:2]...), append(app1, seg...)...), j[2:]...)
}

func animatedGIF(t *testing.T) []byte {
	g := &gif.GIF{}
	for i := range 3 {
		f := image.NewPaletted(image.Rect(0, 0, 60, 40), palette.Plan9)
		for j := range f.Pix {
			f.Pix[j] = uint8(i*50 + j%9)
		}
		g.Image, g.Delay = append(g.Image, f), append(g.Delay, 20)
	}
	return encoded(t, func(w io.Writer) error { return gif.EncodeAll(w, g) })
}

// pngHeaderOf is a PNG signature and header claiming w×h, and nothing more.
func pngHeaderOf(w, h uint32) []byte {
	ihdr := append(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte("IHDR"), w), h), 8, 6, 0, 0, 0)
	crc := crcIEEE(ihdr)
	chunk := append(binary.BigEndian.AppendUint32(nil, 13), ihdr...)
	return append([]byte("\x89PNG\r\n\x1a\n"), binary.BigEndian.AppendUint32(chunk, crc)...)
}

func crcIEEE(b []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range b {
		crc ^= uint32(c)
		for range 8 {
			crc = crc>>1 ^ 0xEDB88320&-(crc&1)
		}
	}
	return ^crc
}

// uploadedFiles lists the files in the library's folder.
func (f *fixture) uploadedFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(f.mediaDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func hasHeadline(list []news.Article, headline string) bool {
	for _, a := range list {
		if a.Headline == headline {
			return true
		}
	}
	return false
}

// TestMediaLibrary: uploads become library items (the same file twice is
// one), without their camera's metadata; the library lists, searches and
// picks; publishing needs every image's texts, and a writer may not change
// those of an image a public article shows. (Sizes being made, and the
// pages showing them, are internal/app's TestMediaLibraryEndToEnd.)
func TestMediaLibrary(t *testing.T) {
	storetest.Each(t, testMediaLibrary)
}

func testMediaLibrary(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	_, writer := f.as(t, auth.RoleWriter)
	photoJPEG := withGPS(jpegOf(t, photo(1200, 800, 1)))
	files := []upFile{
		{"صورة الهاتف.jpg", photoJPEG},
		{"logo.png", encoded(t, func(w io.Writer) error { return png.Encode(w, photo(300, 200, 2)) })},
		{"still.webp", encoded(t, func(w io.Writer) error { return webp.Encode(w, photo(400, 300, 3), webp.Options{Quality: 80}) })},
		{"moving.gif", animatedGIF(t)},
	}
	status, res := upload(t, writer, nil, files...)
	if status != http.StatusOK || len(res) != 4 {
		t.Fatalf("upload: %d %+v", status, res)
	}
	ids := map[string]int64{}
	for _, r := range res {
		if r.Failed || r.ID == 0 || r.Duplicate {
			t.Errorf("%s: %+v", r.Name, r)
		}
		ids[r.Name] = r.ID
	}
	jpg, err := s.GetMedia(ctx, ids["صورة الهاتف.jpg"])
	if err != nil || jpg.MIME != "image/jpeg" || jpg.Width != 1200 || jpg.Height != 800 || len(jpg.SHA256) != 64 {
		t.Fatalf("stored JPEG: %+v %v", jpg, err)
	}
	if gifM, _ := s.GetMedia(ctx, ids["moving.gif"]); gifM.Frames != 3 || gifM.SizesState != news.SizesNone {
		t.Errorf("animated GIF: %d frames, sizes %q", gifM.Frames, gifM.SizesState)
	}

	// The stored original has no camera or position left in it.
	orig, err := os.ReadFile(filepath.Join(f.mediaDir, filepath.FromSlash(jpg.Path)))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"SpyCam", "Exif\x00\x00"} {
		if bytes.Contains(orig, []byte(leak)) {
			t.Errorf("stored original still holds %q", leak)
		}
	}
	if !bytes.Contains(photoJPEG, []byte("SpyCam")) {
		t.Fatal("the test photo carries no EXIF")
	}

	// The same file again is the same library item.
	status, res = upload(t, writer, nil, upFile{"again.jpg", photoJPEG})
	if status != http.StatusOK || len(res) != 1 || !res[0].Duplicate || res[0].ID != jpg.ID || !strings.Contains(res[0].Message, "موجودة في المكتبة") {
		t.Errorf("duplicate: %d %+v", status, res)
	}

	// The library lists, showing an image by its smallest size once it
	// has sizes (the job queue makes them), searches and picks.
	stem := strings.TrimSuffix(jpg.Path, ".jpg")
	sizes := []news.MediaSize{{Path: stem + "-320.webp", Width: 320, Height: 213, Format: "webp"}, {Path: stem + "-320.jpg", Width: 320, Height: 213, Format: "jpeg"}}
	if err := s.SetMediaSizes(ctx, jpg.ID, sizes, news.SizesReady); err != nil {
		t.Fatal(err)
	}
	lib := writer.Get("/admin/media")
	if lib.Status != 200 || !strings.Contains(lib.Body, "مكتبة الوسائط") || !strings.Contains(lib.Body, "/media/"+sizes[0].Path) {
		t.Errorf("library page: %d", lib.Status)
	}
	edit := writer.Post("/admin/media/"+itoa(jpg.ID), url.Values{"alt": {"الأسد في حديقة الحيوان"}, "caption": {"أسد يستريح"}, "credit": {"وكالة الصور"}})
	if edit.Status != http.StatusSeeOther {
		t.Fatalf("edit texts: %d", edit.Status)
	}
	if r := writer.Get("/admin/media?q=" + url.QueryEscape("الاسد")); !strings.Contains(r.Body, `href="/admin/media/`+itoa(jpg.ID)+`"`) || strings.Contains(r.Body, `href="/admin/media/`+itoa(ids["logo.png"])+`"`) {
		t.Error("search by alt text")
	}
	// In words a journalist uses: the kind of picture, its size in
	// pixels and in kilobytes, its caption; no MIME types, byte counts or
	// record numbers.
	for _, page := range []string{"/admin/media?q=" + url.QueryEscape("الاسد"), "/admin/media/" + itoa(jpg.ID)} {
		body := writer.Get(page).Body
		for _, want := range []string{"صورة فوتوغرافية", "بكسل", "كيلوبايت", "أسد يستريح"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", page, want)
			}
		}
		for _, bad := range []string{">image/jpeg<", ">#" + itoa(jpg.ID), "#" + itoa(jpg.ID) + "<", " B<", "رقم " + itoa(jpg.ID)} {
			if strings.Contains(body, bad) {
				t.Errorf("%s shows %q", page, bad)
			}
		}
	}
	if r := writer.Get("/admin/media?pick=featured&q=" + url.QueryEscape("أسد")); !strings.Contains(r.Body, `data-pick="`+itoa(jpg.ID)+`" data-field="featured"`) {
		t.Error("pick mode offers no choice")
	}
	if r := writer.Get("/admin/media?pick=" + url.QueryEscape(`"><script>`)); strings.Contains(r.Body, "data-field=") {
		t.Error("a foreign pick field is echoed")
	}

	// Publishing needs alt text, caption and credit on every image.
	_, editor := f.as(t, auth.RoleEditor)
	form := url.Values{"headline": {"صور من الحديقة"}, "section": {itoa(f.Sections[0].ID)}, "authors": {itoa(f.Authors[0].ID)},
		"featured": {itoa(ids["logo.png"])}, "blocks": {"2"},
		"b0_type": {"paragraph"}, "b0_text": {"نص"}, "b1_type": {"image"}, "b1_media": {itoa(ids["moving.gif"])}, "action": {"publish"}}
	r := editor.Post("/admin/articles/new", form)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "الصورة الرئيسية ينقصها نص بديل") || !strings.Contains(r.Body, "هذه الصورة ينقصها") {
		t.Fatalf("publishing with bare images: %d", r.Status)
	}
	if list, _ := s.ListArticles(ctx, store.AdminFilter{}); hasHeadline(list, "صور من الحديقة") {
		t.Error("the refused article was stored")
	}
	form.Set("featured", itoa(jpg.ID))
	form.Set("b1_alt", "رسم متحرك")
	form.Set("b1_caption", "حركة")
	form.Set("b1_credit", "القسم الفني")
	r = editor.Post("/admin/articles/new", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("publishing with complete images: %d %s", r.Status, r.Body)
	}
	id := savedID(t, r)
	if a := f.article(t, id); a.Status != news.StatusPublished || a.FeaturedID != jpg.ID {
		t.Fatalf("published article: %s, featured %d", a.Status, a.FeaturedID)
	}

	// A writer may not change the text of an image a public article
	// shows; an editor may.
	if r := writer.Post("/admin/media/"+itoa(jpg.ID), url.Values{"alt": {"x"}, "caption": {"x"}, "credit": {"x"}}); r.Status != http.StatusForbidden {
		t.Errorf("writer edits a published image: %d", r.Status)
	}
	if r := editor.Post("/admin/media/"+itoa(jpg.ID), url.Values{"alt": {"أسد نائم"}, "caption": {"أسد يستريح"}, "credit": {"وكالة الصور"}}); r.Status != http.StatusSeeOther {
		t.Errorf("editor edits a published image: %d", r.Status)
	}
	if m, err := s.GetMedia(ctx, jpg.ID); err != nil || m.Alt != "أسد نائم" {
		t.Errorf("the editor's alt text was not stored: %+v %v", m, err)
	}
	// An article can no longer be made public once an image lost its text.
	if r := editor.Post("/admin/media/"+itoa(jpg.ID), url.Values{"alt": {""}, "caption": {"أسد"}, "credit": {"وكالة"}}); r.Status != http.StatusSeeOther {
		t.Errorf("clearing alt: %d", r.Status)
	}
	a := f.article(t, id)
	a.Headline += " (محدَّث)"
	if err := s.UpdateArticle(ctx, a); !news.IsInvalid(err) {
		t.Errorf("updating a public article whose image lost its alt: %v", err)
	}
}

// zeros yields n zero bytes without holding them.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

// counter counts what the server took of a request body.
type counter struct {
	r io.Reader
	n atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// TestMediaUploadBadInput: broken, hostile, oversized and unauthorised
// uploads are refused with a clear message, and leave neither a record
// nor a file.
func TestMediaUploadBadInput(t *testing.T) {
	storetest.Each(t, testMediaUploadBadInput)
}

func testMediaUploadBadInput(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	// An image already in the library, for the text edits below.
	stored := &news.Media{Path: "2026/11/a.jpg", MIME: "image/jpeg", Width: 1200, Height: 800, SHA256: strings.Repeat("a", 64),
		Bytes: 1234, Frames: 1, SizesState: news.SizesPending}
	if err := s.CreateMedia(ctx, stored); err != nil {
		t.Fatal(err)
	}
	_, token := storetest.Staff(t, s, auth.RoleWriter)
	writer := f.browser(t, f.h, token)
	before, _ := s.CountMedia(ctx, store.MediaFilter{})
	good := jpegOf(t, photo(64, 48, 9))
	cases := []struct {
		name   string
		file   upFile
		status int
		says   string
	}{
		{"truncated JPEG", upFile{"cut.jpg", good[:len(good)/2]}, 422, "تالف"},
		{"30000×30000 PNG", upFile{"huge.png", pngHeaderOf(30000, 30000)}, 422, "أبعاد الصورة أكبر من المسموح"},
		{"SVG with script", upFile{"x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}, 422, "ليس صورة JPEG"},
		{"HTML named .jpg", upFile{"photo.jpg", []byte("<!doctype html><html><body><script>alert(1)</script></body></html>")}, 422, "ليس صورة JPEG"},
		{"empty file", upFile{"empty.jpg", nil}, 422, "فارغ"},
		{"too large", upFile{"big.jpg", append(append([]byte{}, good...), make([]byte, 21<<20)...)}, 422, "أكبر من 20 ميغابايت"},
	}
	for _, c := range cases {
		status, res := upload(t, writer, nil, c.file)
		if status != c.status || len(res) != 1 || !res[0].Failed || !strings.Contains(res[0].Message, c.says) {
			t.Errorf("%s: %d %+v", c.name, status, res)
		}
	}
	// Without the script, the same refusal comes as the library page.
	r := writer.Form("POST", UploadPath, nil)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "لم يصل نموذج رفع صالح") {
		t.Errorf("not multipart: %d", r.Status)
	}
	if r := postFiles(t, writer, nil, cases[2].file); r.Status != 422 || !strings.Contains(r.Body, "ليس صورة JPEG") || !strings.Contains(r.Body, "<bdi>x.svg</bdi>") {
		t.Errorf("plain form refusal: %d", r.Status)
	}
	if status, res := upload(t, writer, nil); status != 422 || len(res) != 1 || !strings.Contains(res[0].Message, "لم تُختر أي صورة") {
		t.Errorf("no file: %d %+v", status, res)
	}

	// 200 MB: refused from its Content-Length before it is read, and,
	// sent without one, once the request passes its limit.
	for _, sized := range []bool{true, false} {
		head := "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
		tail := "\r\n--b--\r\n"
		body := &counter{r: io.MultiReader(strings.NewReader(head), bytes.NewReader(good), &zeros{200 << 20}, strings.NewReader(tail))}
		c := writer
		if sized {
			length := int64(len(head)+len(good)+len(tail)) + 200<<20
			c = f.browser(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.ContentLength = length
				f.h.ServeHTTP(w, r)
			}), token)
		}
		start := time.Now()
		r := c.Do("POST", UploadPath, body, http.Header{"Content-Type": {"multipart/form-data; boundary=b"}, "Accept": {"application/json"}})
		if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "الرفعة أكبر من 64 ميغابايت") {
			t.Errorf("200 MB (sized %v): %d %s", sized, r.Status, r.Body)
		}
		if sent := body.n.Load(); sent > 80<<20 {
			t.Errorf("200 MB (sized %v): the server read %d MB before refusing", sized, sent>>20)
		}
		t.Logf("200 MB upload (Content-Length %v): refused after %v, %d KB read", sized, time.Since(start).Round(time.Millisecond), body.n.Load()>>10)
	}

	// Roles and origins: refused before anything is read.
	_, moderator := f.as(t, auth.RoleModerator)
	anonymous := f.browser(t, f.h, "")
	forged := f.browser(t, f.h, strings.Repeat("a", 43))
	for name, c := range map[string]struct {
		who *storetest.Client
		hdr http.Header
	}{
		"moderator":       {moderator, nil},
		"anonymous":       {anonymous, nil},
		"forged cookie":   {forged, nil},
		"cross-site POST": {writer, crossSite},
	} {
		status, _ := upload(t, c.who, c.hdr, upFile{"ok.jpg", good})
		if status != http.StatusForbidden {
			t.Errorf("%s: %d", name, status)
		}
	}
	r = moderator.Get("/admin/media")
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, `lang="ar"`) {
		t.Errorf("moderator opens the library: %d", r.Status)
	}
	if r := send(writer, "POST", "/admin/media/"+itoa(stored.ID), url.Values{"alt": {"x"}}, crossSite); r.Status != http.StatusForbidden {
		t.Errorf("cross-site text edit: %d", r.Status)
	}
	for _, p := range []string{"/admin/media/abc", "/admin/media/999999", "/admin/media/0"} {
		if r := writer.Get(p); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	_, editor := f.as(t, auth.RoleEditor)
	if r := editor.Post("/admin/media/"+itoa(stored.ID), url.Values{"alt": {strings.Repeat("ن", 600)}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "أطول من المسموح") {
		t.Errorf("overlong alt: %d", r.Status)
	}
	if m, _ := s.GetMedia(ctx, stored.ID); m.Alt != "" {
		t.Errorf("a refused text edit was stored: %q", m.Alt)
	}

	if after, _ := s.CountMedia(ctx, store.MediaFilter{}); after != before {
		t.Errorf("refused uploads stored %d media", after-before)
	}
	if left := f.uploadedFiles(t); len(left) != 0 {
		t.Errorf("refused uploads left files: %v", left)
	}
}

// TestMediaUploadManyAtOnceWithoutScript: the form without its script
// takes at most 20 files a request, and says so.
func TestMediaUploadManyAtOnceWithoutScript(t *testing.T) {
	storetest.Each(t, testMediaUploadManyAtOnceWithoutScript)
}

func testMediaUploadManyAtOnceWithoutScript(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, writer := f.as(t, auth.RoleWriter)
	var files []upFile
	for i := range 21 {
		files = append(files, upFile{fmt.Sprintf("%02d.jpg", i), jpegOf(t, photo(40, 30, i))})
	}
	r := postFiles(t, writer, nil, files...)
	if taken := strings.Count(r.Body, `<li class="ok">`); r.Status != 200 || taken != 20 || !strings.Contains(r.Body, "لا تُرفع أكثر من 20 صورة") {
		t.Errorf("21 files at once: %d, %d taken", r.Status, taken)
	}
	if n, _ := s.CountMedia(context.Background(), store.MediaFilter{}); n != 20 {
		t.Errorf("%d media stored, want 20", n)
	}
}

// paced is a request body that arrives a chunk at a time, like an upload
// on a poor mobile connection.
type paced struct {
	r     io.Reader
	chunk int
	every time.Duration
	begun bool
}

func (p *paced) Read(b []byte) (int, error) {
	if p.begun {
		time.Sleep(p.every)
	}
	p.begun = true
	return p.r.Read(b[:min(len(b), p.chunk)])
}

// TestMediaUploadOnASlowLink: a photo that takes three times the
// server's read timeout to arrive, at twice web.MinUploadRate, is taken
// (the server here has a one-second ReadTimeout where the app has 30 s).
func TestMediaUploadOnASlowLink(t *testing.T) {
	storetest.Each(t, testMediaUploadOnASlowLink)
}

func testMediaUploadOnASlowLink(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, token := storetest.Staff(t, s, auth.RoleWriter)
	srv := httptest.NewUnstartedServer(f.h)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = time.Second, time.Second
	srv.Start()
	t.Cleanup(srv.Close)

	// Noise does not compress: some 120 KB of PNG.
	rnd := rand.New(rand.NewPCG(1, 2))
	m := image.NewNRGBA(image.Rect(0, 0, 200, 150))
	for i := range m.Pix {
		m.Pix[i] = uint8(rnd.Uint32())
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("files", "بطيء.png")
	fw.Write(encoded(t, func(w io.Writer) error { return png.Encode(w, m) }))
	mw.Close()
	size := body.Len()
	req, err := http.NewRequest("POST", srv.URL+UploadPath, &paced{r: &body, chunk: 4 << 10, every: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(size)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.AddCookie(&http.Cookie{Name: cookieName, Value: token})
	start := time.Now()
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("a %d-byte upload at 40 KB/s was cut after %v: %v", size, time.Since(start).Round(time.Millisecond), err)
	}
	defer res.Body.Close()
	var out struct{ Files []uploaded }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK || len(out.Files) != 1 || out.Files[0].Failed {
		t.Fatalf("slow upload: %d %+v %v", res.StatusCode, out.Files, err)
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("the upload took %v: not slower than the read timeout, so this proves nothing", took)
	}
}
