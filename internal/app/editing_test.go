package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"khabar/internal/news"
)

// autosaved is the JSON answer of an autosave.
type autosaved struct {
	ID      int64             `json:"id"`
	Version int64             `json:"version"`
	URL     string            `json:"url"`
	Message string            `json:"message"`
	Seen    int64             `json:"seen"`
	Error   string            `json:"error"`
	Fields  map[string]string `json:"fields"`
}

// presence is the answer to an editor page's heartbeat.
type presence struct {
	Locked bool   `json:"locked"`
	HTML   string `json:"html"`
	Seen   int64  `json:"seen"`
}

// heartbeat posts the page's heartbeat for a, as a page with changes
// (editing) or one only read.
func heartbeat(t *testing.T, c *node, a *news.Article, editing bool) presence {
	t.Helper()
	form := url.Values{}
	if editing {
		form.Set("editing", "1")
	}
	r := c.do(t, "POST", "/admin/articles/"+id(a)+"/presence", form, nil)
	var p presence
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &p) != nil {
		t.Fatalf("presence: %d %s", r.status, r.body)
	}
	return p
}
