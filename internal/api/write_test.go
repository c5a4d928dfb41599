package api

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// call sends body with the headers given (each hdr adds to the last) and
// reads the answer as JSON when it is JSON (a problem included); a 500
// or a panic fails the test whatever the case expects.
func (f *fixture) call(t *testing.T, method, path, body string, hdr ...http.Header) (storetest.Response, map[string]any) {
	t.Helper()
	h := http.Header{}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	for _, x := range hdr {
		for k, v := range x {
			h[k] = v
		}
	}
	r := f.client(t).Do(method, path, strings.NewReader(body), h)
	if r.Status >= 500 {
		t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	var out map[string]any
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/problem+json") {
		if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %q", method, path, r.Status, r.Body)
		}
	}
	return r, out
}

func ifMatch(version int64) http.Header { return http.Header{"If-Match": {etagOf(version)}} }

// problemType is the last segment of a problem's type; "" for anything
// else.
func problemType(r storetest.Response, out map[string]any) string {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		return ""
	}
	s, _ := out["type"].(string)
	return strings.TrimPrefix(s, ProblemBase)
}

// errorNames lists the names of a problem's errors.
func errorNames(out map[string]any) []string {
	var names []string
	list, _ := out["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		names = append(names, m["name"].(string))
	}
	return names
}

// newDraft is the JSON of a draft in the fixture's first section.
func (f *fixture) newDraft(headline string) string {
	return `{"headline": "` + headline + `", "kicker": "عاجل", "lead": "مقدمة", "section_id": ` + itoa(f.Sections[0].ID) +
		`, "author_ids": [` + itoa(f.Authors[0].ID) + `], "tags": ["انتخابات", {"name": "بيروت"}],
		"blocks": [{"type": "paragraph", "text": "فقرة <strong>أولى</strong>"}, {"type": "heading", "text": "عنوان فرعي", "level": 2}]}`
}

// stored makes an article by owner in state st directly in the store.
func (f *fixture) stored(t *testing.T, owner int64, st news.Status) *news.Article {
	t.Helper()
	a := f.Fixture.Article("خبر " + string(st))
	a.CreatedBy, a.Status = owner, st
	if st == news.StatusPublished {
		a.PublishedAt = publishedAt
	}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCreateArticle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		u, tok := f.bearer(t, auth.RoleWriter)
		r, out := f.call(t, "POST", "/api/v1/articles", f.newDraft("خبر من وكالة"), tok)
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		id := int64(out["id"].(float64))
		if r.Header.Get("Location") != "http://khabar.test/api/v1/articles/"+itoa(id) || r.Header.Get("ETag") != `"1"` {
			t.Errorf("Location %q ETag %q", r.Header.Get("Location"), r.Header.Get("ETag"))
		}
		for k, v := range map[string]any{"headline": "خبر من وكالة", "kicker": "عاجل", "status": "draft", "version": float64(1),
			"section_id": float64(f.Sections[0].ID), "published_at": nil} {
			if out[k] != v {
				t.Errorf("%s: %v, want %v", k, out[k], v)
			}
		}
		// The answer is what a read gives.
		read := f.client(t).Do("GET", "/api/v1/articles/"+itoa(id), nil, tok)
		var got, again map[string]any
		json.Unmarshal([]byte(r.Body), &got)
		json.Unmarshal([]byte(read.Body), &again)
		if b1, _ := json.Marshal(got); read.Status != 200 || string(b1) != mustJSON(again) {
			t.Errorf("create answered\n%s\nread gives\n%s", b1, read.Body)
		}
		art, err := s.GetArticle(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if art.CreatedBy != u.ID || len(art.Tags) != 2 || art.Tags[1].Name != "بيروت" || len(art.Body) != 2 || art.Body[0].Text != "فقرة <strong>أولى</strong>" {
			t.Errorf("stored: by %d, tags %+v, body %+v", art.CreatedBy, art.Tags, art.Body)
		}

		// Fields to correct: each named, in Arabic and English.
		r, out = f.call(t, "POST", "/api/v1/articles", `{"headline": "", "kicker": "`+strings.Repeat("ك", 500)+`"}`, tok)
		if r.Status != http.StatusUnprocessableEntity || problemType(r, out) != problemValidation {
			t.Fatalf("invalid: %d %s", r.Status, r.Body)
		}
		names := strings.Join(errorNames(out), ",")
		if names != "headline,kicker,section_id" {
			t.Errorf("invalid fields: %s", names)
		}
		first := out["errors"].([]any)[0].(map[string]any)
		msg := first["message"].(map[string]any)
		if first["reason"] != "required" || !strings.Contains(msg["ar"].(string), "مطلوب") || !strings.Contains(msg["en"].(string), "required") {
			t.Errorf("headline error: %v", first)
		}
		// A state other than draft is the workflow's.
		r, out = f.call(t, "POST", "/api/v1/articles", `{"headline": "x", "section_id": 1, "status": "published"}`, tok)
		if r.Status != http.StatusUnprocessableEntity || strings.Join(errorNames(out), ",") != "status" {
			t.Errorf("status published: %d %s", r.Status, r.Body)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPatchArticle: If-Match is required (428); a stale one is 412 with
// the current article; a good one saves and moves the ETag. On a
// published article the change is staged until publish puts it online.
func TestPatchArticle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		_, tok := f.bearer(t, auth.RoleEditor)
		a := f.stored(t, 0, news.StatusDraft)
		path := "/api/v1/articles/" + itoa(a.ID)

		r, out := f.call(t, "PATCH", path, `{"headline": "جديد"}`, tok)
		if r.Status != http.StatusPreconditionRequired || problemType(r, out) != problemNoIfMatch {
			t.Errorf("no If-Match: %d %s", r.Status, r.Body)
		}
		r, out = f.call(t, "PATCH", path, `{"headline": "جديد"}`, tok, ifMatch(a.Version))
		if r.Status != 200 || out["headline"] != "جديد" || out["lead"] != "مقدمة الخبر" || r.Header.Get("ETag") != etagOf(a.Version+1) {
			t.Fatalf("patch: %d %s %s", r.Status, r.Header.Get("ETag"), r.Body)
		}
		for _, stale := range []string{etagOf(a.Version), `W/"2"`, `2`, `"x"`} {
			r, out = f.call(t, "PATCH", path, `{"headline": "قديم"}`, tok, http.Header{"If-Match": {stale}})
			cur, _ := out["current"].(map[string]any)
			if r.Status != http.StatusPreconditionFailed || problemType(r, out) != problemStale || cur["version"] != float64(a.Version+1) || cur["headline"] != "جديد" ||
				r.Header.Get("ETag") != etagOf(a.Version+1) {
				t.Errorf("If-Match %s: %d %s", stale, r.Status, r.Body)
			}
		}

		// Published: the change waits as a staged update.
		pub := f.stored(t, 0, news.StatusPublished)
		path = "/api/v1/articles/" + itoa(pub.ID)
		r, out = f.call(t, "PATCH", path, `{"headline": "تحديث"}`, tok, ifMatch(pub.Version))
		if r.Status != 200 || out["headline"] != "تحديث" || out["has_staged_update"] != true {
			t.Fatalf("patch published: %d %s", r.Status, r.Body)
		}
		if live := f.client(t).Get(path); !strings.Contains(live.Body, pub.Headline) {
			t.Errorf("readers see the staged update before it is published: %s", live.Body)
		}
		r, out = f.call(t, "POST", path+"/publish", "", tok, ifMatch(int64(out["version"].(float64))))
		if r.Status != 200 || out["headline"] != "تحديث" || out["has_staged_update"] != false {
			t.Fatalf("publish update: %d %s", r.Status, r.Body)
		}
		if live := f.client(t).Get(path); !strings.Contains(live.Body, "تحديث") {
			t.Errorf("update not live: %s", live.Body)
		}
	})
}

// TestWorkflowSteps: the newsroom's rules through the API: a writer
// submits and may not publish, and their article is then the editors';
// the state decides which step goes; a held edit lock refuses writes; a
// publication with alert channels makes the alert once.
func TestWorkflowSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		writer, wtok := f.bearer(t, auth.RoleWriter)
		editor, etok := f.bearer(t, auth.RoleEditor)
		_, out := f.call(t, "POST", "/api/v1/articles", f.newDraft("مسودة"), wtok)
		id := int64(out["id"].(float64))
		path := "/api/v1/articles/" + itoa(id)

		if r, out := f.call(t, "POST", path+"/publish", "", wtok, ifMatch(1)); r.Status != http.StatusForbidden || problemType(r, out) != problemForbidden {
			t.Errorf("writer publishes: %d %s", r.Status, r.Body)
		}
		r, out := f.call(t, "POST", path+"/submit", "", wtok, ifMatch(1))
		if r.Status != 200 || out["status"] != "review" {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		v := int64(out["version"].(float64))
		// Steps take If-Match as PATCH does.
		if r, out := f.call(t, "POST", path+"/publish", "", etok); r.Status != http.StatusPreconditionRequired || problemType(r, out) != problemNoIfMatch {
			t.Errorf("publish without If-Match: %d %s", r.Status, r.Body)
		}
		if r, out := f.call(t, "POST", path+"/publish", "", etok, ifMatch(v-1)); r.Status != http.StatusPreconditionFailed || out["current"].(map[string]any)["status"] != "review" {
			t.Errorf("publish with a stale If-Match: %d %s", r.Status, r.Body)
		}
		if r, out := f.call(t, "PATCH", path, `{"headline": "بعد الإرسال"}`, wtok, ifMatch(v)); r.Status != http.StatusConflict || problemType(r, out) != problemWithEditors {
			t.Errorf("writer changes a submitted article: %d %s", r.Status, r.Body)
		}
		if r, out := f.call(t, "POST", path+"/unpublish", "", etok, ifMatch(v)); r.Status != http.StatusConflict || problemType(r, out) != problemTransition {
			t.Errorf("unpublish a draft: %d %s", r.Status, r.Body)
		}
		if r, out := f.call(t, "POST", path+"/schedule", `{"at": "2020-01-01T00:00:00Z"}`, etok, ifMatch(v)); r.Status != 422 || strings.Join(errorNames(out), ",") != "at" {
			t.Errorf("schedule in the past: %d %s", r.Status, r.Body)
		}
		if r, out := f.call(t, "POST", path+"/publish", `{"alert": ["pigeon"]}`, etok, ifMatch(v)); r.Status != 422 || strings.Join(errorNames(out), ",") != "alert" {
			t.Errorf("unknown channel: %d %s", r.Status, r.Body)
		}
		if r, _ := f.call(t, "POST", path+"/publish", `{"at": "2030-01-01T00:00:00Z"}`, etok, ifMatch(v)); r.Status != 400 {
			t.Errorf("at on publish: %d %s", r.Status, r.Body)
		}

		// Someone else in the newsroom holds the edit lock.
		other, _ := storetest.Staff(t, s, auth.RoleEditor)
		if _, err := s.EnterArticle(ctx, id, other.Actor(), store.Claim, news.EditTTL); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ method, path, body string }{{"PATCH", path, `{"kicker": "x"}`}, {"POST", path + "/publish", ""}} {
			r, out := f.call(t, c.method, c.path, c.body, etok, ifMatch(v))
			if r.Status != http.StatusLocked || problemType(r, out) != problemLocked || !strings.Contains(out["detail"].(string), other.Name) {
				t.Errorf("%s %s under someone's lock: %d %s", c.method, c.path, r.Status, r.Body)
			}
		}
		if err := s.LeaveArticle(ctx, id, other.ID, time.Now()); err != nil {
			t.Fatal(err)
		}

		r, out = f.call(t, "POST", path+"/publish", `{"alert": ["telegram"]}`, etok, ifMatch(v))
		if r.Status != 200 || out["status"] != "published" || out["published_at"] == nil {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		alerts, err := s.ListAlerts(ctx, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts) != 1 || alerts[0].ArticleID != id || alerts[0].Title != "مسودة" || strings.Join(alerts[0].Channels, " ") != "telegram" || alerts[0].CreatedBy.UserID != editor.ID {
			t.Errorf("alerts after publish: %+v", alerts)
		}
		// The lock the write took is free again: the writer's newsroom
		// is not kept out for two minutes.
		if e, err := s.ArticleEditing(ctx, id, news.EditTTL); err != nil || e.LockedFor(writer.ID) {
			t.Errorf("lock after the API's write: %+v %v", e.Lock, err)
		}
		v = int64(out["version"].(float64))
		at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		if r, out := f.call(t, "POST", path+"/unpublish", "", etok, ifMatch(v)); r.Status != 200 || out["status"] != "unpublished" {
			t.Fatalf("unpublish: %d %s", r.Status, r.Body)
		} else {
			v = int64(out["version"].(float64))
		}
		r, out = f.call(t, "POST", path+"/schedule", `{"at": "`+at.Format(time.RFC3339)+`"}`, etok, ifMatch(v))
		if r.Status != 200 || out["status"] != "scheduled" {
			t.Fatalf("schedule: %d %s", r.Status, r.Body)
		}
		if art, _ := s.GetArticle(ctx, id); !art.PublishAt.Equal(at) {
			t.Errorf("planned for %v, want %v", art.PublishAt, at)
		}
	})
}

// pngOf is a small PNG, different for every seed.
func pngOf(t *testing.T, seed int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			m.Set(x, y, color.RGBA{uint8(x * 6), uint8(y*8 + seed), uint8(seed * 37), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMediaUpload: an image goes into the library through the
// newsroom's checks, an image block attaches it, and its texts are set
// as publishing needs them.
func TestMediaUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		_, tok := f.bearer(t, auth.RoleEditor)
		img := http.Header{"Content-Type": {"image/png"}}
		up := func(body []byte, hdr ...http.Header) (storetest.Response, map[string]any) {
			t.Helper()
			h := http.Header{}
			for _, x := range append([]http.Header{tok}, hdr...) {
				for k, v := range x {
					h[k] = v
				}
			}
			r := f.client(t).Do("POST", MediaPath, bytes.NewReader(body), h)
			var out map[string]any
			json.Unmarshal([]byte(r.Body), &out)
			return r, out
		}
		file := pngOf(t, 1)
		r, out := up(file, img)
		if r.Status != http.StatusCreated || out["width"] != float64(40) || out["mime"] != "image/png" {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		mid := int64(out["id"].(float64))
		if r, out := up(file, img); r.Status != 200 || out["duplicate"] != true || int64(out["id"].(float64)) != mid {
			t.Errorf("same file again: %d %s", r.Status, r.Body)
		}
		r, out = up([]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), http.Header{"Content-Type": {"image/svg+xml"}})
		if r.Status != 422 || problemType(r, out) != problemMedia || out["errors"].([]any)[0].(map[string]any)["reason"] != "unsupported_type" {
			t.Errorf("svg: %d %s", r.Status, r.Body)
		}
		for reason, body := range map[string][]byte{"corrupt": file[:len(file)/2], "empty": nil, "unsupported_type": []byte("%PDF-1.7 not an image")} {
			r, out := up(body, img)
			if r.Status != 422 || problemType(r, out) != problemMedia || !strings.Contains(r.Body, `"reason":"`+reason+`"`) {
				t.Errorf("%s: %d %s", reason, r.Status, r.Body)
			}
		}
		if r, out := up(file, http.Header{"Content-Type": {"text/plain"}}); r.Status != http.StatusUnsupportedMediaType || problemType(r, out) != problemMediaType {
			t.Errorf("text/plain: %d %s", r.Status, r.Body)
		}
		huge := append(append([]byte{}, file...), make([]byte, f.media.Limits().MaxBytes)...)
		if r, out := up(huge, img); r.Status != http.StatusRequestEntityTooLarge || problemType(r, out) != problemTooLarge {
			t.Errorf("past the library's limit: %d %.200s", r.Status, r.Body)
		}
		// Without a length (chunked), the body is cut as it streams in,
		// with a key or without.
		for _, k := range []string{"", "chunked-1"} {
			h := http.Header{"Content-Type": {"image/png"}, "Authorization": tok["Authorization"]}
			if k != "" {
				h.Set("Idempotency-Key", k)
			}
			r := f.client(t).Do("POST", MediaPath, io.MultiReader(bytes.NewReader(huge)), h)
			if r.Status != http.StatusRequestEntityTooLarge && !(r.Status == 422 && strings.Contains(r.Body, `"reason":"too_large"`)) {
				t.Errorf("chunked past the limit, key %q: %d %.300s", k, r.Status, r.Body)
			}
		}

		// Attach: an image block, then its texts, then publish.
		_, out = f.call(t, "POST", "/api/v1/articles", `{"headline": "صورة", "section_id": `+itoa(f.Sections[0].ID)+
			`, "featured_media_id": `+itoa(mid)+`, "blocks": [{"type": "image", "media_id": `+itoa(mid)+`}]}`, tok)
		id := int64(out["id"].(float64))
		if out["featured_media_id"] != float64(mid) {
			t.Errorf("featured: %v", out)
		}
		if r, out := f.call(t, "PATCH", "/api/v1/articles/"+itoa(id), `{"blocks": [{"type": "image", "media_id": 999999}]}`, tok, ifMatch(1)); r.Status != 422 {
			t.Errorf("image block of no image: %d %v", r.Status, out)
		}
		if r, _ := f.call(t, "POST", "/api/v1/articles/"+itoa(id)+"/publish", "", tok, ifMatch(1)); r.Status != 422 {
			t.Errorf("publish with an image lacking its texts: %d %s", r.Status, r.Body)
		}
		r, out = f.call(t, "PATCH", mediaPath(mid), `{"alt": "وصف", "caption": "تعليق", "credit": "وكالة"}`, tok)
		if r.Status != 200 || out["credit"] != "وكالة" {
			t.Fatalf("texts: %d %s", r.Status, r.Body)
		}
		if r, _ := f.call(t, "POST", "/api/v1/articles/"+itoa(id)+"/publish", "", tok, ifMatch(1)); r.Status != 200 {
			t.Errorf("publish: %d %s", r.Status, r.Body)
		}
	})
}

// TestPublishWithoutAlerts: an outlet without alert channels refuses a
// channel and takes an empty list.
func TestPublishWithoutAlerts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, func(o *Options) { o.Fanout = nil })
		_, tok := f.bearer(t, auth.RoleEditor)
		a := f.stored(t, 0, news.StatusReview)
		path := articlePath(a.ID) + "/publish"
		if r, out := f.call(t, "POST", path, `{"alert": ["push"]}`, tok, ifMatch(a.Version)); r.Status != 422 || strings.Join(errorNames(out), ",") != "alert" {
			t.Errorf("a channel: %d %s", r.Status, r.Body)
		}
		if r, out := f.call(t, "POST", path, `{"alert": []}`, tok, ifMatch(a.Version)); r.Status != 200 || out["status"] != "published" {
			t.Errorf("no channels: %d %s", r.Status, r.Body)
		}
	})
}
