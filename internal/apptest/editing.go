package apptest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"khabar/internal/news"
)

// Presence is the answer to an editor page's heartbeat.
type Presence struct {
	Locked bool   `json:"locked"`
	HTML   string `json:"html"`
	Seen   int64  `json:"seen"`
}

// Heartbeat posts the page's Heartbeat for a, as a page with changes
// (editing) or one only read.
func Heartbeat(t *testing.T, c *Node, a *news.Article, editing bool) Presence {
	t.Helper()
	form := url.Values{}
	if editing {
		form.Set("editing", "1")
	}
	r := c.Do(t, "POST", "/admin/articles/"+ID(a)+"/presence", form, nil)
	var p Presence
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &p) != nil {
		t.Fatalf("presence: %d %s", r.Status, r.Body)
	}
	return p
}
