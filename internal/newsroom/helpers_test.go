package newsroom

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/storetest"
)

// crossSite is what a browser sends with a request another site made.
var crossSite = http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}

// send is c.Form with extra headers (nil: none).
func send(c *storetest.Client, method, path string, form url.Values, hdr http.Header) storetest.Response {
	if form == nil {
		return c.Do(method, path, nil, hdr)
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	maps.Copy(h, hdr)
	return c.Do(method, path, strings.NewReader(form.Encode()), h)
}

// articleIn makes an article in state st, created by owner (0: nobody)
// and signed by authors, through the store's workflow.
func (f *fixture) articleIn(t *testing.T, st news.Status, owner int64, authors ...news.Author) *news.Article {
	t.Helper()
	ctx := context.Background()
	a := &news.Article{Headline: "خبر الاختبار " + string(st), SectionID: f.Sections[0].ID, CreatedBy: owner,
		Authors: authors, Body: []news.Block{{Type: news.BlockParagraph, Text: "فقرة"}}}
	if err := f.store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	walk := map[news.Status][]news.Change{
		news.StatusReview:    {{Action: news.ActionSubmit}},
		news.StatusScheduled: {{Action: news.ActionSchedule, At: time.Now().Add(time.Hour)}},
		news.StatusPublished: {{Action: news.ActionPublish}},
	}
	for _, c := range walk[st] {
		var err error
		if a, err = f.store.Transition(ctx, a.ID, a.Version, c); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// article is the article as stored now.
func (f *fixture) article(t *testing.T, id int64) *news.Article {
	t.Helper()
	a, err := f.store.GetArticle(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// articleForm is the article form as the newsroom's page posts it.
func articleForm(a *news.Article, action string) url.Values {
	return url.Values{"headline": {a.Headline + " (معدّل)"}, "section": {itoa(a.SectionID)},
		"version": {itoa(a.Version)}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"نص معدّل"},
		"action": {action}}
}

// adminPath is a's page in the newsroom.
func adminPath(a *news.Article) string { return "/admin/articles/" + itoa(a.ID) }

// savedID is the article a save was sent on to, from its Location.
func savedID(t *testing.T, r storetest.Response) int64 {
	t.Helper()
	where := strings.SplitN(r.Header.Get("Location"), "?", 2)[0]
	id, err := strconv.ParseInt(strings.TrimPrefix(where, "/admin/articles/"), 10, 64)
	if err != nil {
		t.Fatalf("location %q: %v", r.Header.Get("Location"), err)
	}
	return id
}

// step posts a workflow step for a as the newsroom's buttons do.
func step(c *storetest.Client, a *news.Article, act news.Action, extra url.Values) storetest.Response {
	form := url.Values{"action": {string(act)}, "version": {itoa(a.Version)}}
	for k, v := range extra {
		form[k] = v
	}
	return c.Post(adminPath(a)+"/status", form)
}

// fieldLayout is how the newsroom's time inputs send a time: in the
// outlet's zone, to the second (browsers send seconds when asked to).
const fieldLayout = "2006-01-02T15:04:05"

// timeField is at as the newsroom's time inputs send it.
func (f *fixture) timeField(at time.Time) url.Values {
	return url.Values{"at": {at.In(f.n.zone()).Format(fieldLayout)}}
}

// fieldTime is the instant the newsroom reads from timeField(at): at to
// the second, except in the hour a clock going back repeats (Beirut's
// last October Saturday, 23:00 to midnight): its readings name two
// instants and the newsroom, like time.ParseInLocation, takes the later.
func (f *fixture) fieldTime(at time.Time) time.Time {
	got, err := time.ParseInLocation(fieldLayout, f.timeField(at)["at"][0], f.n.zone())
	if err != nil {
		panic(err) // a Format of the same layout always parses
	}
	return got
}

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

func decodeAutosave(t *testing.T, r storetest.Response) autosaved {
	t.Helper()
	var a autosaved
	if err := json.Unmarshal([]byte(r.Body), &a); err != nil {
		t.Fatalf("autosave answer %d is not JSON: %v\n%s", r.Status, err, r.Body)
	}
	return a
}

// presence is the answer to an editor page's heartbeat.
type presence struct {
	Locked bool   `json:"locked"`
	HTML   string `json:"html"`
	Seen   int64  `json:"seen"`
}

// heartbeat posts the page's heartbeat for the article id, as a page with
// changes (editing) or one only read.
func heartbeat(t *testing.T, c *storetest.Client, id int64, editing bool) presence {
	t.Helper()
	form := url.Values{}
	if editing {
		form.Set("editing", "1")
	}
	r := c.Post("/admin/articles/"+itoa(id)+"/presence", form)
	var p presence
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &p) != nil {
		t.Fatalf("presence: %d %s", r.Status, r.Body)
	}
	return p
}

// presenceOf tells whether the poster of a heartbeat is locked out, and
// the notice their page shows.
func presenceOf(t *testing.T, c *storetest.Client, id int64) (bool, string) {
	t.Helper()
	p := heartbeat(t, c, id, false)
	return p.Locked, p.HTML
}
