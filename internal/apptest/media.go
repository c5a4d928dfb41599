package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// As is n with a client of its own, logged in with role. Its timeout
// leaves room for uploads under the race detector on a busy machine.
func As(t *testing.T, n *Node, role auth.Role) *Node {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := *n.Client
	c.Jar, c.Timeout = jar, 2*time.Minute
	m := *n
	m.Client = &c
	Login(t, &m, role)
	return &m
}

// UpFile is a file to upload.
type UpFile struct {
	Name string
	Data []byte
}

// Uploaded is the library's JSON answer for one uploaded file.
type Uploaded struct {
	Name      string `json:"name"`
	ID        int64  `json:"id"`
	Duplicate bool   `json:"duplicate"`
	Failed    bool   `json:"failed"`
	Message   string `json:"message"`
}

// MultipartBody is a form as a browser sends it, files under "files".
func MultipartBody(t *testing.T, files ...UpFile) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.Data)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// PostFiles posts files as the upload form does without its script.
func (n *Node) PostFiles(t *testing.T, hdr map[string]string, files ...UpFile) Resp {
	t.Helper()
	ct, body := MultipartBody(t, files...)
	return n.PostBody(t, "/admin/media", ct, body, hdr)
}

// PostBody posts body of type contentType to path with headers hdr.
func (n *Node) PostBody(t *testing.T, path, contentType string, body []byte, hdr map[string]string) Resp {
	t.Helper()
	req, _ := http.NewRequest("POST", n.Base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := n.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Resp{res.StatusCode, res.Header, string(b)}
}

// Upload posts files the way the library's script does, asking for JSON.
func (n *Node) Upload(t *testing.T, hdr map[string]string, files ...UpFile) (int, []Uploaded) {
	t.Helper()
	h := map[string]string{"Accept": "application/json"}
	for k, v := range hdr {
		h[k] = v
	}
	r := n.PostFiles(t, h, files...)
	var out struct{ Files []Uploaded }
	if r.Header.Get("Content-Type") == "application/json; charset=utf-8" {
		if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
			t.Fatalf("upload answered %d with bad JSON %q", r.Status, r.Body)
		}
	}
	return r.Status, out.Files
}

// Photo is a w×h picture with some detail, different for each seed.
func Photo(w, h, seed int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := m.PixOffset(x, y)
			copy(m.Pix[i:], []uint8{uint8(x*255/w + seed), uint8(y * 255 / h), uint8((x ^ y) + seed*7), 255})
		}
	}
	return m
}

// Encoded is what encode writes.
func Encoded(t *testing.T, encode func(io.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// JPEGOf is m as a JPEG file.
func JPEGOf(t *testing.T, m image.Image) []byte {
	return Encoded(t, func(w io.Writer) error { return jpeg.Encode(w, m, &jpeg.Options{Quality: 85}) })
}

// MustMedia is the library item id.
func (n *Node) MustMedia(t *testing.T, id int64) *news.Media {
	t.Helper()
	m, err := n.Store.GetMedia(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
