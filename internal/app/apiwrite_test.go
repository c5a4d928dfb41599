package app_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

// TestAPIWritesEndToEnd: an agency script on a running node uploads a
// photo larger than the general body limit (the app lets API uploads past
// it, as the newsroom's), files a story around it, completes the image's
// texts and publishes it; readers then see it on the site, through the
// outbox like any newsroom publication. The rules and refusals of each
// route are internal/api's tests.
func TestAPIWritesEndToEnd(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	u, _ := storetest.Staff(t, n.Store, auth.RoleEditor)
	token := "Bearer " + storetest.APIToken(t, n.Store, u)
	send := func(method, path, ct string, body []byte, hdr ...string) (int, http.Header, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, n.Base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", token)
		req.Header.Set("Content-Type", ct)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := n.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %.300q", method, path, res.StatusCode, b)
		}
		return res.StatusCode, res.Header, out
	}

	// Noise does not compress: a PNG of about 3 MB, over the 2 MB limit.
	m := image.NewNRGBA(image.Rect(0, 0, 1000, 800))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range m.Pix {
		m.Pix[i] = uint8(rnd.IntN(256))
	}
	var photo bytes.Buffer
	if err := png.Encode(&photo, m); err != nil {
		t.Fatal(err)
	}
	if photo.Len() < 3<<20 {
		t.Fatalf("the photo is %d bytes, not past the form limit", photo.Len())
	}
	st, _, out := send("POST", "/api/v1/media", "image/png", photo.Bytes())
	if st != http.StatusCreated {
		t.Fatalf("upload of %d bytes: %d %v", photo.Len(), st, out)
	}
	media := int64(out["id"].(float64))
	if st, _, out := send("PATCH", "/api/v1/media/"+apptest.Itoa(media), "application/json",
		[]byte(`{"alt": "ضوضاء ملونة", "caption": "صورة من الوكالة", "credit": "وكالة"}`)); st != 200 {
		t.Fatalf("texts: %d %v", st, out)
	}
	story := `{"headline": "خبر الوكالة عبر الواجهة", "lead": "مقدمة", "section_id": ` + apptest.Itoa(apptest.FirstPublished(t, n.Store).SectionID) +
		`, "blocks": [{"type": "paragraph", "text": "نص الخبر"}, {"type": "image", "media_id": ` + apptest.Itoa(media) + `}]}`
	st, hdr, out := send("POST", "/api/v1/articles", "application/json", []byte(story), "Idempotency-Key", "agency-item-1")
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, out)
	}
	if st2, _, again := send("POST", "/api/v1/articles", "application/json", []byte(story), "Idempotency-Key", "agency-item-1"); st2 != 201 || again["id"] != out["id"] {
		t.Errorf("retry: %d %v", st2, again)
	}
	id := int64(out["id"].(float64))
	st, _, out = send("POST", "/api/v1/articles/"+apptest.Itoa(id)+"/publish", "application/json", nil, "If-Match", hdr.Get("ETag"))
	if st != 200 || out["status"] != string(news.StatusPublished) {
		t.Fatalf("publish: %d %v", st, out)
	}
	n.WaitEvents(t)
	page := n.Get(t, strings.TrimPrefix(out["url"].(string), "http://khabar.test"))
	if page.Status != 200 || !strings.Contains(page.Body, "خبر الوكالة عبر الواجهة") || !strings.Contains(page.Body, `alt="ضوضاء ملونة"`) {
		t.Errorf("article page: %d", page.Status)
	}
	if home := n.Get(t, "/"); !strings.Contains(home.Body, "خبر الوكالة عبر الواجهة") {
		t.Error("the home page does not list the API's story")
	}
}
