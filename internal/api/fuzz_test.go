package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"khabar/internal/news"
)

// FuzzArticleWrite: whatever a write's body holds, decoding answers a 400
// problem or gives an article that Normalize validates or refuses with
// fields; never a panic, never another status.
func FuzzArticleWrite(f *testing.F) {
	for _, seed := range []string{
		`{"headline": "عنوان", "section_id": 1, "tags": ["أ", {"id": 2}], "blocks": [{"type": "paragraph", "text": "<b>x</b>"}]}`,
		`{"blocks": [{"type": "list", "items": ["a", "b"], "ordered": true}, {"type": "image", "media_id": -1}]}`,
		`{"tags": [{"name": 1}]}`, `{"author_ids": [1, -2, 9223372036854775807]}`, `[]`, `null`, `"x"`, "{\"headline\": \"\xff\"}",
		`{"status": "published"}`, `{"id": {"x": [1]}, "url": null, "version": "7"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		var in articleWrite
		if !decode(w, body, &in, false) {
			if w.Code != http.StatusBadRequest || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("refused %q with %d %s", body, w.Code, w.Header().Get("Content-Type"))
			}
			return
		}
		a := &news.Article{Status: news.StatusDraft}
		in.apply(a)
		if err := a.Normalize(); err != nil && news.KindOf(err) != news.KindInvalid {
			t.Fatalf("%q: %v", body, err)
		}
	})
}
