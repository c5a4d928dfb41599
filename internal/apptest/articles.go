package apptest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// LoginAs is As that also tells the new user's id.
func LoginAs(t *testing.T, n *Node, role auth.Role) (*Node, int64) {
	t.Helper()
	c := As(t, n, role)
	u, err := n.Store.UserByEmail(context.Background(), string(role)+"@khabar.test")
	if err != nil {
		t.Fatal(err)
	}
	return c, u.ID
}

// ArticleIn makes an article in state st, created by owner (0: nobody),
// through the store's workflow.
func ArticleIn(t *testing.T, n *Node, st news.Status, owner int64) *news.Article {
	t.Helper()
	ctx := context.Background()
	sec, err := n.Store.SectionBySlug(ctx, "politics")
	if err != nil {
		t.Fatal(err)
	}
	a := &news.Article{Headline: "خبر الاختبار " + string(st), SectionID: sec.ID, CreatedBy: owner,
		Body: []news.Block{{Type: news.BlockParagraph, Text: "فقرة"}}}
	if err := n.Store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	walk := map[news.Status][]news.Change{
		news.StatusReview:    {{Action: news.ActionSubmit}},
		news.StatusScheduled: {{Action: news.ActionSchedule, At: time.Now().Add(time.Hour)}},
		news.StatusPublished: {{Action: news.ActionPublish}},
	}
	for _, c := range walk[st] {
		if a, err = n.Store.Transition(ctx, a.ID, a.Version, c); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// ArticleForm is the article form as the newsroom's page posts it.
func ArticleForm(a *news.Article, action string) url.Values {
	return url.Values{"headline": {a.Headline + " (معدّل)"}, "section": {strconv.FormatInt(a.SectionID, 10)},
		"version": {strconv.FormatInt(a.Version, 10)}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"نص معدّل"},
		"action": {action}}
}

// ID is a's id as it appears in addresses.
func ID(a *news.Article) string { return strconv.FormatInt(a.ID, 10) }

// Step posts a workflow step for a as the newsroom's buttons do.
func (n *Node) Step(t *testing.T, a *news.Article, act news.Action, extra url.Values) Resp {
	t.Helper()
	form := url.Values{"action": {string(act)}, "version": {strconv.FormatInt(a.Version, 10)}}
	for k, v := range extra {
		form[k] = v
	}
	return n.Do(t, "POST", "/admin/articles/"+ID(a)+"/status", form, nil)
}

// Zone is the outlet's time zone.
func (n *Node) Zone() *time.Location {
	if loc := n.Settings.Get().DateFormat().Location; loc != nil {
		return loc
	}
	return time.UTC
}

// TimeField is t as the newsroom's time inputs send it.
func (n *Node) TimeField(t time.Time) url.Values {
	return url.Values{"at": {t.In(n.Zone()).Format(fieldLayout)}}
}

// FieldTime is the instant the newsroom reads from TimeField(t): t to the
// second, except in the hour a clock going back repeats (Beirut's last
// October Saturday, 23:00 to midnight): its readings name two instants and
// the newsroom, like time.ParseInLocation, takes the later one.
func (n *Node) FieldTime(t time.Time) time.Time {
	at, err := time.ParseInLocation(fieldLayout, n.TimeField(t)["at"][0], n.Zone())
	if err != nil {
		panic(err) // a Format of the same layout always parses
	}
	return at
}

// Soon is d from now, for a test that waits for a time it set through a
// time field. In the hour a clock going back repeats, no reading in the
// outlet's zone names an instant a moment away (the newsroom would read
// one an hour later), so the outlet moves to UTC for the rest of the test.
func (n *Node) Soon(t *testing.T, d time.Duration) time.Time {
	t.Helper()
	at := time.Now().Add(d)
	if n.FieldTime(at).Equal(at.Truncate(time.Second)) {
		return at
	}
	t.Logf("%v is in the hour %s repeats: the outlet moves to UTC", at, n.Zone())
	if err := n.Store.SaveSettings(context.Background(), map[string]string{"time_zone": "UTC"}); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	if n.Zone() != time.UTC {
		t.Fatalf("the outlet is still on %s", n.Zone())
	}
	return at
}

// Article is article id as stored now.
func (n *Node) Article(t *testing.T, id int64) *news.Article {
	t.Helper()
	a, err := n.Store.GetArticle(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// WaitForState polls the article until it is in st (River looks for due
// jobs every five seconds).
func WaitForState(t *testing.T, n *Node, aid int64, st news.Status) *news.Article {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := n.Article(t, aid)
		if a.Status == st {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("article %d is still %s, want %s", aid, a.Status, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fieldLayout is how the newsroom's time inputs send a time: in the
// outlet's zone, to the second (browsers send seconds when asked to).
const fieldLayout = "2006-01-02T15:04:05"

// BestArticle is the published article that better prefers over all the
// others (among the latest 50).
func BestArticle(t testing.TB, s *store.Store, what string, better func(a, best *news.Article) bool) *news.Article {
	t.Helper()
	ctx := context.Background()
	list, err := s.ListPublished(ctx, store.ListFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var best *news.Article
	for _, it := range list {
		a, err := s.GetArticle(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if better(a, best) {
			best = a
		}
	}
	if best == nil {
		t.Fatalf("no published article %s", what)
	}
	return best
}

// ArticleURL is a's address on the site.
func ArticleURL(a *news.Article) string {
	return "/news/" + strconv.FormatInt(a.ID, 10) + "/" + url.PathEscape(a.Slug)
}

// Itoa is n in decimal.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Presence is the answer to an editor page's heartbeat.
type Presence struct {
	Locked bool   `json:"locked"`
	HTML   string `json:"html"`
	Seen   int64  `json:"seen"`
}

// Heartbeat posts the page's heartbeat for a, as a page with changes
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
