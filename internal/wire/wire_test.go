package wire

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/feed/feedtest"
	"khabar/internal/paste"
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func iptc(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{feedtest.IPTCDir()}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not found (the shared data folder, ../shared beside the repository): skipped", p)
	}
	return p
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestIPTCExamples: the NewsML-G2 guidelines' listings that validate
// against the 2.35 schema, and IPTC's ninjs examples, are each taken or
// refused for the reason that fits.
func TestIPTCExamples(t *testing.T) {
	for _, tc := range []struct {
		file   string
		reason string // refusal; "" when taken
		check  func(t *testing.T, it Item)
	}{
		{"newsml-g2/examples/LISTING_1_A_NewsML-G2_News_Item.xml", "", func(t *testing.T, it Item) {
			if it.GUID != "urn:newsml:acmenews.com:20161018:US-FINANCE-FED" || it.Version != 11 || it.Provider != "REUTERS" ||
				it.Headline != `Fed to halt QE to avert "bubble"` || it.Slugline != "US-Finance-Fed" || it.Located != "Berlin" ||
				it.Byline != "Meredith Jameson" || it.Status != Usable || it.Language != "en-GB" || it.Copyright != "Example Enews LLP" {
				t.Errorf("%+v", it)
			}
			if !it.Embargoed.Equal(at("2018-10-23T12:00:00Z")) || !it.VersionCreated.Equal(at("2018-10-21T16:25:32-05:00")) ||
				!it.FirstCreated.Equal(at("2016-10-18T13:12:21-05:00")) {
				t.Errorf("times %v %v %v", it.Embargoed, it.VersionCreated, it.FirstCreated)
			}
			if !slices.Equal(it.Signals, []string{"sig:update"}) || len(it.Subjects) != 2 || it.Subjects[1] != (Subject{"medtop:20000523", "labour market"}) {
				t.Errorf("signals %v subjects %v", it.Signals, it.Subjects)
			}
			if !strings.HasPrefix(it.EdNote, "Note to editors: STRICTLY EMBARGOED.") {
				t.Errorf("edNote %q", it.EdNote)
			}
		}},
		{"newsml-g2/examples/LISTING_2_NewsML-G2_Text_Document.xml", "", func(t *testing.T, it Item) {
			if !strings.HasPrefix(it.BodyHTML, "<p>(New York, NY - October 21) Et, sent") || strings.Count(it.BodyHTML, "<p>") != 2 ||
				strings.Contains(it.BodyHTML, "hl1") || strings.Contains(it.BodyHTML, "Staff Reporter") {
				t.Errorf("NITF body.content as HTML, without body.head: %q", it.BodyHTML)
			}
			if it.Provider != "www.acmenews.com/about/" && it.Provider != "http://www.acmenews.com/about/" {
				t.Errorf("provider %q", it.Provider)
			}
		}},
		{"newsml-g2/examples/LISTING_3_Photo_in_NewsML-G2.xml", ReasonNotText, nil},
		{"newsml-g2/examples/LISTING_6_Simple_NewsML-G2_Package.xml", ReasonNoItem, nil},
		{"newsml-g2/examples/LISTING_29_Hop_History.xml", ReasonNoHeadline, nil},
		{"ninjs/examples/doc-2.2_005_complex_text_article.json", "", func(t *testing.T, it Item) {
			if it.Headline != "Captain of wrecked cruise ship on trial in Italy" || it.Located != "Grossetto, Italy" ||
				!strings.HasPrefix(it.BodyHTML, "<p>GROSSETO") || !strings.HasPrefix(it.BodyText, "GROSSETO") {
				t.Errorf("%+v", it)
			}
		}},
		{"ninjs/examples/doc-3.1_005_complex_text_article.json", "", func(t *testing.T, it Item) {
			if !it.VersionCreated.Equal(at("2013-07-09T10:37:00Z")) || it.Byline != "Paulo Santalucia and Frances d'Emilio" {
				t.Errorf("3.1's camel case: %+v", it)
			}
		}},
		{"ninjs/examples/ex-2.1_dpa_text.json", "", func(t *testing.T, it Item) {
			if it.Version != 2 || it.Urgency != 4 || it.Provider != "dpa" || it.Language != "de" || !strings.Contains(it.BodyHTML, "Lucien Favre") {
				t.Errorf("%+v", it)
			}
		}},
		{"ninjs/examples/ex-2.1_ntb_text.json", "", nil},
		{"ninjs/examples/doc-2.2_006_photo_only.json", ReasonNotText, nil},
		{"ninjs/examples/ex-2.1_ap_video.json", ReasonNotText, nil},
		{"ninjs/examples/doc-3.1_008_event.json", ReasonNotText, nil},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			items, err := Parse(read(t, iptc(t, strings.Split(tc.file, "/")...)))
			if got := ReasonOf(err); got != tc.reason || err != nil && tc.reason == "" {
				t.Fatalf("reason %q, want %q (%v)", got, tc.reason, err)
			}
			if tc.reason == "" && len(items) != 1 {
				t.Fatalf("%d items", len(items))
			}
			if tc.check != nil {
				tc.check(t, items[0])
			}
		})
	}
}

// TestArabicItems: items we wrote in Arabic, valid NewsML-G2 2.35 and
// ninjs, read whole; their bodies become blocks through the paste
// cleaner with the structure they had.
func TestArabicItems(t *testing.T) {
	t.Run("NITF with embargo", func(t *testing.T) {
		items, err := Parse(read(t, "testdata/ar-nitf.xml"))
		if err != nil || len(items) != 1 {
			t.Fatalf("%v %d", err, len(items))
		}
		it := items[0]
		if it.Headline != "البرلمان يقرّ موازنة العام المقبل بأغلبية ضئيلة" || it.Provider != "وكالة الأنباء المثالية" || it.Byline != "سلمى الخطيب" ||
			it.Dateline != "عمّان، الإثنين (وكالة الأنباء المثالية)" || it.Located != "عمّان" || it.Urgency != 3 || it.Language != "ar" ||
			it.Lead != "صوّت ٦٢ نائبًا لصالح الموازنة مقابل ٥٨ بعد جلسة استمرت حتى الفجر." || it.Creditline != "وكالة الأنباء المثالية" {
			t.Errorf("%+v", it)
		}
		if !it.Embargoed.Equal(at("2026-12-07T09:00:00Z")) {
			t.Errorf("embargo %v", it.Embargoed)
		}
		blocks := paste.Blocks(it.BodyHTML)
		var kinds []string
		for _, b := range blocks {
			kinds = append(kinds, string(b.Type))
		}
		if want := []string{"paragraph", "heading", "paragraph", "quote", "paragraph"}; !slices.Equal(kinds, want) {
			t.Errorf("blocks %v, want %v\nfrom %s", kinds, want, it.BodyHTML)
		}
		if strings.Contains(it.BodyHTML, "photo.jpg") || !strings.Contains(it.BodyHTML, `<a href="https://wakala.example/budget">`) {
			t.Errorf("media dropped, links kept: %s", it.BodyHTML)
		}
	})
	t.Run("kill notice", func(t *testing.T) {
		items, err := Parse(read(t, "testdata/ar-kill.xml"))
		if err != nil {
			t.Fatal(err)
		}
		it := items[0]
		if it.Status != Canceled || it.Version != 2 || it.PreviousVersion != "urn:newsml:wakala.example:20261207:AR-POLITICS-BUDGET" ||
			!slices.Equal(it.Signals, []string{"sig:correction"}) {
			t.Errorf("%+v", it)
		}
	})
	t.Run("message of XHTML and plain text", func(t *testing.T) {
		items, err := Parse(read(t, "testdata/ar-xhtml-message.xml"))
		if err != nil || len(items) != 2 {
			t.Fatalf("%v %d", err, len(items))
		}
		if h := items[0].BodyHTML; strings.Contains(h, "alert") || strings.Contains(h, "نهائي</") || !strings.Contains(h, "<h2>تأهل تاريخي</h2>") ||
			!strings.Contains(h, "<strong>٥-٤</strong>") || !strings.Contains(h, "<li>الحارس تصدى لركلتين</li>") {
			t.Errorf("XHTML body: %s", h)
		}
		if it := items[1]; it.Status != Withheld || it.BodyHTML != "" || !strings.Contains(it.BodyText, "\n\nوتحذر") {
			t.Errorf("inline data: %+v", it)
		}
	})
	for _, tc := range []struct {
		file, version string
		check         func(t *testing.T, it Item)
	}{
		{"testdata/ar-ninjs-2.2.json", "2.2", func(t *testing.T, it Item) {
			if it.Version != 3 || it.Urgency != 2 || it.Headline != "المصرف المركزي يثبّت أسعار الفائدة" || it.Byline != "رامي حداد" ||
				it.Lead == "" || !strings.HasPrefix(it.BodyHTML, "<p>أبقى") || it.BodyText == "" || len(it.Subjects) != 2 || it.Located != "بيروت" {
				t.Errorf("%+v", it)
			}
		}},
		{"testdata/ar-ninjs-3.1.json", "3.1", func(t *testing.T, it Item) {
			if !it.Embargoed.Equal(at("2026-12-08T06:00:00Z")) || it.Provider != "وكالة الأنباء المثالية" || it.Copyright != "وكالة الأنباء المثالية" {
				t.Errorf("%+v", it)
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data := read(t, tc.file)
			feedtest.CheckNinjs(t, data, tc.version)
			items, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, items[0])
		})
	}
}

// TestOurNewsMLValidates: the NewsML-G2 we wrote is valid against the
// 2.35 schema, so the Arabic tests above stand for real agency files.
func TestOurNewsMLValidates(t *testing.T) {
	xsd := iptc(t, "newsml-g2", "NewsML-G2_2.35-spec-All-Power.xsd")
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not on PATH (Debian package libxml2-utils): schema check skipped")
	}
	files, _ := filepath.Glob("testdata/*.xml")
	for _, f := range files {
		if out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", xsd, f).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", f, err, out)
		}
	}
}

// TestHostileFiles: what attacks a parser, or is not an item, is refused
// with its reason, and nothing of it is returned.
func TestHostileFiles(t *testing.T) {
	item := func(body string) string {
		return `<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="1"><contentMeta><headline>ع</headline></contentMeta>` + body + `</newsItem>`
	}
	deep := strings.Repeat("<p>", 100) + strings.Repeat("</p>", 100)
	for _, tc := range []struct {
		name, doc, reason string
	}{
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` + item(`<contentSet><inlineXML><p>&lol2;</p></inlineXML></contentSet>`), ReasonDoctype},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + item(`<contentSet><inlineXML><p>&xxe;</p></inlineXML></contentSet>`), ReasonDoctype},
		{"undeclared entity", item(`<contentSet><inlineXML><p>&xxe;</p></inlineXML></contentSet>`), ReasonMalformed},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?>` + item(""), ReasonEncoding},
		{"invalid UTF-8", item("") + "\xff\xfe", ReasonNotUTF8},
		{"deep", item(`<contentSet><inlineXML>` + deep + `</inlineXML></contentSet>`), ReasonTooDeep},
		{"too large", item(`<contentSet><inlineData>` + strings.Repeat("خبر ", MaxSize/7) + `</inlineData></contentSet>`), ReasonTooLarge},
		{"unclosed", item("")[:60], ReasonMalformed},
		{"two roots", item("") + item(""), ReasonMalformed},
		{"not NewsML", `<rss version="2.0"><channel/></rss>`, ReasonUnknown},
		{"no guid", strings.Replace(item(""), `guid="urn:x:1"`, "", 1), ReasonNoGUID},
		{"bad version", strings.Replace(item(""), `version="1"`, `version="one"`, 1), ReasonMalformed},
		{"bad embargo", item(`<itemMeta><embargoed>soon</embargoed></itemMeta>`), ReasonBadTime},
		{"bad status", item(`<itemMeta><pubStatus qcode="stat:maybe"/></itemMeta>`), ReasonBadStatus},
		{"base64 inline data", item(`<contentSet><inlineData encoding="base64">2K7YqNix</inlineData></contentSet>`), ReasonMalformed},
		{"empty", "  \n", ReasonEmpty},
		{"text", "عاجل: خبر", ReasonUnknown},
		{"JSON syntax", `{"uri": "urn:x", "headlines": [}`, ReasonMalformed},
		{"JSON types", `{"uri": "urn:x", "headlines": "عنوان"}`, ReasonMalformed},
		{"JSON two values", `{"uri": "urn:x", "headline": "ع"} {}`, ReasonMalformed},
		{"JSON deep", `{"uri": "urn:x", "headline": "ع", "x": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, ReasonMalformed},
		{"JSON no uri", `{"headline": "ع"}`, ReasonNoGUID},
		{"JSON no headline", `{"uri": "urn:x", "body_html": "<p>ع</p>"}`, ReasonNoHeadline},
		{"JSON urgency", `{"uri": "urn:x", "headline": "ع", "urgency": 1.5}`, ReasonMalformed},
		{"JSON embargo", `{"uri": "urn:x", "headline": "ع", "embargoed": "tomorrow"}`, ReasonBadTime},
		{"JSON huge guid", `{"uri": "` + strings.Repeat("x", 600) + `", "headline": "ع"}`, ReasonNoGUID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := Parse([]byte(tc.doc))
			if got := ReasonOf(err); got != tc.reason || items != nil {
				t.Fatalf("reason %q (%v) and %d items, want %q and none", got, err, len(items), tc.reason)
			}
		})
	}
}

// TestVersionSpellings: dates with and without zones, versions as
// numbers and strings, statuses by qcode and URI.
func TestVersionSpellings(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		version int64
		status  Status
		created time.Time
	}{
		{`{"uri": "u", "headline": "ع", "version": 7, "pubstatus": "withheld", "versioncreated": "2026-01-02T03:04:05"}`, 7, Withheld, at("2026-01-02T03:04:05Z")},
		{`{"uri": "u", "headline": "ع", "version": "v2", "pubStatus": "canceled", "versionCreated": "2026-01-02"}`, 0, Canceled, at("2026-01-02T00:00:00Z")},
		{`<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g" version=" 3 "><itemMeta><pubStatus uri="http://cv.iptc.org/newscodes/pubstatusg2/withheld"/><versionCreated>
			2026-01-02T03:04:05+02:00
		</versionCreated></itemMeta><contentMeta><headline>ع</headline></contentMeta></newsItem>`, 3, Withheld, at("2026-01-02T01:04:05Z")},
	} {
		items, err := Parse([]byte(tc.doc))
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		if it := items[0]; it.Version != tc.version || it.Status != tc.status || !it.VersionCreated.Equal(tc.created) {
			t.Errorf("%s: version %d status %s created %v", tc.doc, it.Version, it.Status, it.VersionCreated)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/*"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{"uri":"u","headline":"ع"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := Parse(data)
		if err != nil {
			if ReasonOf(err) == "" || items != nil {
				t.Fatalf("an error that is not a refusal, or items with it: %v", err)
			}
			return
		}
		for _, it := range items {
			if it.GUID == "" || it.Headline == "" || it.Status == "" {
				t.Fatalf("an item without guid, headline or status: %+v", it)
			}
			if bytes.Contains([]byte(it.BodyHTML), []byte("<script")) {
				t.Fatalf("a script in a body: %q", it.BodyHTML)
			}
		}
	})
}

// TestEveryIPTCExample: every example file IPTC publishes with the two
// standards is taken (text items, with a GUID and a headline) or refused
// for the reason that fits it: pictures, audio, video and events are not
// text, a package is no news item, the guidelines' excerpts are not
// documents. A file added to the folder must be added here.
func TestEveryIPTCExample(t *testing.T) {
	want := map[string]string{ // "" when taken
		"LISTING_1_A_NewsML-G2_News_Item.xml":                            "",
		"LISTING_2_NewsML-G2_Text_Document.xml":                          "",
		"LISTING_3_Photo_in_NewsML-G2.xml":                               ReasonNotText,
		"LISTING_6_Simple_NewsML-G2_Package.xml":                         ReasonNoItem,
		"LISTING_24_News_Message_conveying_a_complete_News_Package.xml":  ReasonNoHeadline, // its items are "....." placeholders
		"LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml": ReasonUnknown,    // an excerpt: a contentSet
		"LISTING_28_Illustrating_Located_Subject_and_Dateline.xml":       ReasonUnknown,    // an excerpt: a contentMeta
		"LISTING_29_Hop_History.xml":                                     ReasonNoHeadline, // metadata only
		"doc-2.2_001_simple_example.json":                                "",
		"doc-2.2_002_renditions_example.json":                            ReasonNoHeadline,
		"doc-2.2_003_associations_example.json":                          "",
		"doc-2.2_004_simple_text_article.json":                           "",
		"doc-2.2_005_complex_text_article.json":                          "",
		"doc-2.2_006_photo_only.json":                                    ReasonNotText,
		"doc-2.2_007_multimedia.json":                                    "",
		"doc-3.1_001_simple_example.json":                                "",
		"doc-3.1_002_renditions_example.json":                            ReasonNoHeadline,
		"doc-3.1_003_associations_example.json":                          "",
		"doc-3.1_004_simple_text_article.json":                           "",
		"doc-3.1_005_complex_text_article.json":                          "",
		"doc-3.1_006_photo_only.json":                                    ReasonNotText,
		"doc-3.1_007_multimedia.json":                                    "",
		"doc-3.1_008_event.json":                                         ReasonNotText,
		"ex-2.1_SIPA_image_2.json":                                       ReasonNotText,
		"ex-2.1_ap_audio.json":                                           ReasonNotText,
		"ex-2.1_ap_image.json":                                           ReasonNotText,
		"ex-2.1_ap_video.json":                                           ReasonNotText,
		"ex-2.1_businesswire-newsml-20130605006126.json":                 "",
		"ex-2.1_businesswire-newsml-20130731006140.json":                 "",
		"ex-2.1_dpa_text.json":                                           "",
		"ex-2.1_imageEncodedRights.json":                                 ReasonNotText,
		"ex-2.1_imageLinkedRights.json":                                  ReasonNotText,
		"ex-2.1_ninjsExSimpleText_2.json":                                "",
		"ex-2.1_ntb_text.json":                                           "",
		"ex-2.1_schema-extension_extension-example.json":                 "",
		"ex-2.1_schema-extension_extension-schema.json":                  ReasonNoGUID, // a JSON Schema, not a news object
		"ex-2.1_tt_text_image_2.json":                                    "",
	}
	var files []string
	for _, g := range []string{"newsml-g2/examples/*.xml", "ninjs/examples/*.json"} {
		fs, _ := filepath.Glob(filepath.Join(feedtest.IPTCDir(), g))
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Skipf("no IPTC examples under %s (the shared data folder): skipped", feedtest.IPTCDir())
	}
	for _, f := range files {
		name := filepath.Base(f)
		reason, known := want[name]
		if !known {
			t.Errorf("%s: a new example; say here what the desk makes of it", name)
			continue
		}
		items, err := Parse(read(t, f))
		if got := ReasonOf(err); got != reason || err != nil && reason == "" {
			t.Errorf("%s: refused %q (%v), want %q", name, got, err, reason)
			continue
		}
		for _, it := range items {
			if it.GUID == "" || it.Headline == "" || it.Status == "" {
				t.Errorf("%s: an item without GUID, headline or status: %+v", name, it)
			}
		}
	}
}
