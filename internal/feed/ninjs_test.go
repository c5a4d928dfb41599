package feed

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"khabar/internal/feed/feedtest"
	"khabar/internal/news"
)

// ninjsFixture is the feed fixture's first item as a ninjs item, with a
// picture in two sizes and a crop, in the given state.
func ninjsFixture(st news.Status) NinjsItem {
	_, items := fixture()
	a := *items[0].Article
	a.Status, a.Version, a.Kicker, a.Source, a.Breaking = st, 7, "عاجل", "وكالة الأنباء", true
	a.CreatedAt = published[0].Add(-time.Hour)
	a.PublishAt = published[0].Add(48 * time.Hour)
	a.Body = []news.Block{{Type: news.BlockParagraph, Text: "نص <strong>المقال</strong>"}}
	items[0].Article = &a
	return NinjsItem{Item: items[0], URI: "https://news.example/news/1", Holder: "خبر",
		Subjects: []NinjsSubject{{Name: "سياسة", URI: "https://news.example/section/politics", Literal: "section:politics"}, {Name: "البرلمان", URI: "https://news.example/tag/parliament", Literal: "tag:parliament"}},
		Pictures: []NinjsPicture{{Role: "featureimage", URI: "https://news.example/media/a.jpg", Alt: "صورة", Caption: "تعليق", Credit: "مصور",
			Renditions: []NinjsRendition{
				{Name: "original", Href: "https://news.example/media/a.jpg", MIME: "image/jpeg", Width: 1200, Height: 675, Bytes: 90000},
				{Name: "webp-640", Href: "https://news.example/media/a-640.webp", MIME: "image/webp", Width: 640, Height: 360, Bytes: 20000},
				{Name: "crop-1x1", Href: "https://news.example/media/a-1x1.jpg", MIME: "image/jpeg", Width: 675, Height: 675},
			}}}}
}

func TestNinjs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		version   string
		status    news.Status
		pubstatus string
		embargo   bool
		// key is the property holding the status, camel case in 3.x
		key, versionKey, embargoKey string
	}{
		{"published 2.2", Ninjs2, news.StatusPublished, "usable", false, "pubstatus", "versioncreated", "embargoed"},
		{"published 3.1", Ninjs3, news.StatusPublished, "usable", false, "pubStatus", "versionCreated", "embargoedUntil"},
		{"withdrawn 2.2", Ninjs2, news.StatusUnpublished, "canceled", false, "pubstatus", "versioncreated", "embargoed"},
		{"scheduled 2.2", Ninjs2, news.StatusScheduled, "withheld", true, "pubstatus", "versioncreated", "embargoed"},
		{"scheduled 3.1", Ninjs3, news.StatusScheduled, "withheld", true, "pubStatus", "versionCreated", "embargoedUntil"},
		{"draft 3.1", Ninjs3, news.StatusDraft, "withheld", false, "pubStatus", "versionCreated", "embargoedUntil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Ninjs(&buf, ninjsFixture(tc.status), tc.version); err != nil {
				t.Fatal(err)
			}
			feedtest.CheckNinjs(t, buf.Bytes(), tc.version)
			var doc map[string]any
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc[tc.key] != tc.pubstatus {
				t.Errorf("%s %v, want %s", tc.key, doc[tc.key], tc.pubstatus)
			}
			if doc[tc.versionKey] != "2026-11-03T15:00:00+03:00" {
				t.Errorf("%s %v", tc.versionKey, doc[tc.versionKey])
			}
			if _, ok := doc[tc.embargoKey]; ok != tc.embargo {
				t.Errorf("%s present: %v, want %v", tc.embargoKey, ok, tc.embargo)
			}
			std := doc["standard"].(map[string]any)
			if std["version"] != tc.version || std["schema"] != NinjsSchema(tc.version) {
				t.Errorf("standard %v", std)
			}
			// Markup is written as it is, not \u003c-escaped.
			if !strings.Contains(buf.String(), `"value": "<p>نص <strong>المقال</strong>`) {
				t.Errorf("body not as HTML text:\n%s", buf.String())
			}
			if doc["headlines"].([]any)[0].(map[string]any)["value"] != cleanHeadline {
				t.Errorf("headline %v, want the feeds' cleaned text", doc["headlines"])
			}
			pic := doc["associations"].([]any)[0].(map[string]any)
			if pic["name"] != "featureimage" || pic["type"] != "picture" || len(pic["renditions"].([]any)) != 3 {
				t.Errorf("picture association %v", pic)
			}
		})
	}
}

// TestNinjsHostileText: the feed readers' attacks as every text ninjs
// carries still give a valid document with the text as it was cleaned.
func TestNinjsHostileText(t *testing.T) {
	for _, p := range feedtest.Payloads {
		it := ninjsFixture(news.StatusPublished)
		a := *it.Article
		a.Headline, a.Kicker, a.Lead, a.Source, a.Slug = p, p, p, p, p
		a.Authors = []news.Author{{Name: p}}
		it.Article = &a
		it.Subjects[1].Name, it.Pictures[0].Caption, it.Holder = p, p, p
		for _, v := range []string{Ninjs2, Ninjs3} {
			var buf bytes.Buffer
			if err := Ninjs(&buf, it, v); err != nil {
				t.Fatalf("%q: %v", p, err)
			}
			feedtest.CheckNinjs(t, buf.Bytes(), v)
			var doc struct {
				Headlines []struct{ Value string } `json:"headlines"`
			}
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if got := doc.Headlines[0].Value; got != xmlSafe(p) {
				t.Errorf("%s headline %q, want %q", v, got, xmlSafe(p))
			}
		}
	}
}

func TestNinjsVersion(t *testing.T) {
	if err := Ninjs(new(bytes.Buffer), ninjsFixture(news.StatusPublished), "1.6"); err == nil || !strings.Contains(err.Error(), `version "1.6"`) {
		t.Fatalf("version 1.6: %v", err)
	}
	if err := Ninjs(new(bytes.Buffer), NinjsItem{}, Ninjs2); err != ErrNoArticle {
		t.Fatalf("no article: %v", err)
	}
}

// TestNinjsSchemaBites: the schema check the tests lean on refuses what
// ninjs does not allow (formats included: stricter than IPTC's own
// examples, one of which has a relative uri).
func TestNinjsSchemaBites(t *testing.T) {
	for _, bad := range []string{
		`{"uri": "https://news.example/news/1", "pubstatus": "gone"}`,
		`{"uri": "not a uri"}`,
		`{"uri": "https://news.example/news/1", "versioncreated": "yesterday"}`,
		`{"uri": "https://news.example/news/1", "body_html": "<p>1.x</p>"}`,
		`{"type": "text"}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if feedtest.NinjsSchema(t, Ninjs2).Validate(inst) == nil {
			t.Errorf("2.2 schema accepts %s", bad)
		}
	}
}
