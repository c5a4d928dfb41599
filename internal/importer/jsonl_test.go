package importer

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// importLines imports lines, joined by newlines, and fails the test on an
// error: bad records are skipped, never the import's failure.
func importLines(t *testing.T, s *store.Store, status news.Status, lines ...string) Stats {
	t.Helper()
	st, err := JSONL(context.Background(), s, strings.NewReader(strings.Join(lines, "\n")), status, nil)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, st.Summary())
	}
	if st.Imported+st.Skips() != st.Read {
		t.Errorf("read %d, imported %d, skipped %d: records unaccounted for", st.Read, st.Imported, st.Skips())
	}
	return st
}

// imported reads every stored article, by external id.
func imported(t *testing.T, s *store.Store) map[string]*news.Article {
	t.Helper()
	ctx := context.Background()
	list, err := s.ArticlesAfter(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*news.Article{}
	for _, a := range list {
		out[a.ExternalID] = a
	}
	return out
}

func TestJSONLines(t *testing.T) {
	storetest.Each(t, testJSONLines)
}

// testJSONLines: good records become published articles, in sections
// (made on the way) and with their tags and dates; every other record is
// skipped with its reason in the summary.
func testJSONLines(t *testing.T, s *store.Store) {
	st := importLines(t, s, news.StatusPublished,
		`{"id": "a-1", "title": "مهرجان الزيتون يفتتح دورته", "body": "فقرة أولى\nفقرة ثانية <b>بخط</b>", "category": "culture", "category_ar": "ثقافة", "date": "2016-12-16T21:23:00+01:00", "tags": ["مهرجانات"]}`,
		`{"id": 7, "title": "خبر برقم", "body": "نص", "date": "2017-01-02"}`,
		`{"id": "a-1", "title": "مكرر", "body": "نص"}`,
		`{"title": "بلا معرف", "body": "نص"}`,
		`{"id": "a-3", "title": "", "body": "نص"}`,
		`{"id": "a-4", "title": "بلا نص"}`,
		`{"id": "a-5", "title": "تاريخ سيئ", "body": "نص", "date": "yesterday"}`,
		`not json at all`,
		``,
		`{"id": "a-6", "title": "`+strings.Repeat("ط", 400)+`", "body": "نص"}`,
		`{"id": "a-7", "title": "من المستقبل", "body": "نص", "date": "2199-12-31T00:00:00Z"}`,
		`{"id": "a-8", "title": "كاتب بلا اسم", "body": "نص", "author": "!!!"}`,
		`{"id": "a-9", "title": "قسم طويل", "body": "نص", "category": "x", "category_ar": "`+strings.Repeat("ق", 500)+`"}`,
	)
	sum := st.Summary()
	for _, want := range []string{"read 12, imported 2, skipped 10", "id already imported", "no id", "no title", "no body", "unreadable date",
		"not a JSON object", "invalid article", "date in the future", "invalid author", "invalid category"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	got := imported(t, s)
	if len(got) != 2 {
		t.Fatalf("%d articles stored, want 2", len(got))
	}
	a := got["a-1"]
	if a.Headline != "مهرجان الزيتون يفتتح دورته" || a.Status != news.StatusPublished || !a.PublishedAt.Equal(time.Date(2016, 12, 16, 20, 23, 0, 0, time.UTC)) {
		t.Errorf("a-1: %q %s %v", a.Headline, a.Status, a.PublishedAt)
	}
	// Imported text is plain: its markup is kept as words.
	if len(a.Body) != 2 || a.Body[1].Text != "فقرة ثانية &lt;b&gt;بخط&lt;/b&gt;" {
		t.Errorf("a-1 body: %+v", a.Body)
	}
	if a.Section == nil || a.Section.Slug != "culture" || a.Section.Name != "ثقافة" || len(a.Tags) != 1 || a.Tags[0].Name != "مهرجانات" {
		t.Errorf("a-1 section and tags: %+v %+v", a.Section, a.Tags)
	}
	if b := got["7"]; b == nil || b.Section == nil || b.Section.Slug != "archive" || b.Section.Name != "أرشيف" || !b.PublishedAt.Equal(time.Date(2017, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("numeric id, no category: %+v", b)
	}
}

func TestJSONLinesBadInput(t *testing.T) {
	storetest.Each(t, testJSONLinesBadInput)
}

// testJSONLinesBadInput: malformed lines, oversized fields and odd
// values are skipped, each for its reason; the good records around them
// all get in.
func testJSONLinesBadInput(t *testing.T, s *store.Store) {
	good := func(id string) string { return `{"id": "` + id + `", "title": "خبر ` + id + `", "body": "نص"}` }
	cases := []struct {
		name, line, reason string
	}{
		{"truncated object", `{"id": "b-1", "title": "نص", "body": "x"`, "not a JSON object"},
		{"array", `[1, 2, 3]`, "not a JSON object"},
		{"number", `42`, "not a JSON object"},
		{"string", `"a-1"`, "not a JSON object"},
		{"title of the wrong type", `{"id": "b-2", "title": ["t"], "body": "x"}`, "not a JSON object"},
		{"tags of the wrong type", `{"id": "b-3", "title": "t", "body": "x", "tags": "one"}`, "not a JSON object"},
		{"two objects on a line", `{"id": "b-4", "title": "t", "body": "x"} {"id": "b-5"}`, "not a JSON object"},
		{"null", `null`, "no id"},
		{"object id", `{"id": {"n": 1}, "title": "t", "body": "x"}`, "no id"},
		{"boolean id", `{"id": true, "title": "t", "body": "x"}`, "no id"},
		{"blank id", `{"id": " \t ", "title": "t", "body": "x"}`, "no id"},
		{"body of blank lines", `{"id": "b-6", "title": "t", "body": "\n \n\t"}`, "no body"},
		{"year 10000", `{"id": "b-7", "title": "t", "body": "x", "date": "10000-01-01"}`, "unreadable date"},
		{"year 1", `{"id": "b-8", "title": "t", "body": "x", "date": "0001-01-01T00:00:00Z"}`, "unreadable date"},
		{"128 KB title", `{"id": "b-9", "title": "` + strings.Repeat("ع", 64<<10) + `", "body": "x"}`, "invalid article (headline: too_long)"},
		{"501 paragraphs", `{"id": "b-10", "title": "t", "body": "` + strings.Repeat("فقرة\\n", 501) + `"}`, "more than 500 paragraphs"},
		{"128 KB author", `{"id": "b-11", "title": "t", "body": "x", "author": "` + strings.Repeat("ك", 64<<10) + `"}`, "invalid author"},
		{"128 KB category", `{"id": "b-12", "title": "t", "body": "x", "category": "` + strings.Repeat("c", 128<<10) + `"}`, "invalid category"},
		{"128 KB tag", `{"id": "b-13", "title": "t", "body": "x", "tags": ["` + strings.Repeat("و", 64<<10) + `"]}`, "invalid article (tags: too_long)"},
		{"line over 8 MB", `{"id": "b-14", "title": "t", "body": "` + strings.Repeat("x", MaxLine) + `"}`, "line longer than 8 MB"},
	}
	lines := []string{good("g-0")}
	want := map[string]int{}
	for i, c := range cases {
		lines = append(lines, c.line, good("g-"+strconv.Itoa(i+1)))
		want[c.reason]++
	}
	st := importLines(t, s, news.StatusPublished, lines...)
	if st.Read != 2*len(cases)+1 || st.Imported != len(cases)+1 {
		t.Errorf("read %d, imported %d; want %d and %d:\n%s", st.Read, st.Imported, 2*len(cases)+1, len(cases)+1, st.Summary())
	}
	for reason, n := range want {
		if st.Skipped[reason] != n {
			t.Errorf("%d skipped for %q, want %d:\n%s", st.Skipped[reason], reason, n, st.Summary())
		}
	}
	// Which case went wrong, by the good record after it.
	got := imported(t, s)
	for i, c := range cases {
		if got["g-"+strconv.Itoa(i+1)] == nil {
			t.Errorf("the good record after %s was lost", c.name)
		}
	}
	if len(got) != len(cases)+1 {
		t.Errorf("%d articles stored, want %d", len(got), len(cases)+1)
	}
}

func TestJSONLinesOddText(t *testing.T) {
	storetest.Each(t, testJSONLinesOddText)
}

// testJSONLinesOddText: text no database should hold (NUL, invalid
// UTF-8), a byte-order mark and Windows line ends are imported cleaned,
// or skipped with a reason; they never stop the import.
func testJSONLinesOddText(t *testing.T, s *store.Store) {
	st := importLines(t, s, news.StatusPublished,
		"\ufeff"+`{"id": "c-1", "title": "بعد علامة الترتيب", "body": "نص"}`+"\r",
		`{"id": "c-2", "title": "سطر ويندوز", "body": "فقرة\r\nفقرة"}`+"\r",
		`{"id": "c-3", "title": "صفر\u0000في العنوان", "body": "نص\u0000فيه صفر", "author": "كاتب\u0000", "tags": ["وسم\u0000"], "category": "a\u0000b", "source": "مصدر\u0000"}`,
		`{"id": "c-4", "title": "بايتات `+"\xff\xfe"+` غير صالحة", "body": "نص `+"\xc3"+`"}`,
		`{"id": "c-5", "title": "آخر سطر", "body": "نص"}`,
	)
	got := imported(t, s)
	for _, id := range []string{"c-1", "c-2", "c-5"} {
		if got[id] == nil {
			t.Errorf("%s was not imported:\n%s", id, st.Summary())
		}
	}
	if a := got["c-2"]; a != nil && (len(a.Body) != 2 || strings.ContainsRune(a.Body[0].Text, '\r')) {
		t.Errorf("c-2 body: %+v", a.Body)
	}
	for id, a := range got {
		for _, text := range []string{a.Headline, a.Source, a.Body[0].Text} {
			if strings.ContainsRune(text, 0) || !utf8Valid(text) {
				t.Errorf("%s stored with a NUL or invalid UTF-8: %q", id, text)
			}
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "?") == s }

func TestJSONLinesDuplicates(t *testing.T) {
	storetest.Each(t, testJSONLinesDuplicates)
}

// testJSONLinesDuplicates: an id imported once is never imported again,
// in the same file or a later run, however it is spelled; the first
// record's article is kept as it was.
func testJSONLinesDuplicates(t *testing.T, s *store.Store) {
	file := []string{
		`{"id": "d-1", "title": "الأصل", "body": "نص أصلي"}`,
		`{"id": 42, "title": "رقم", "body": "نص"}`,
		`{"id": "d-1", "title": "مكرر", "body": "نص آخر"}`,
		`{"id": "  d-1 ", "title": "مكرر بمسافات", "body": "نص"}`,
		`{"id": "42", "title": "رقم نصي", "body": "نص"}`,
	}
	st := importLines(t, s, news.StatusPublished, file...)
	if st.Imported != 2 || st.Skipped["id already imported"] != 3 {
		t.Errorf("first run:\n%s", st.Summary())
	}
	again := importLines(t, s, news.StatusDraft, file...)
	if again.Imported != 0 || again.Skipped["id already imported"] != 5 {
		t.Errorf("second run:\n%s", again.Summary())
	}
	got := imported(t, s)
	if len(got) != 2 || got["d-1"].Headline != "الأصل" || got["d-1"].Status != news.StatusPublished || got["42"].Headline != "رقم" {
		t.Errorf("stored: %d articles, d-1 %+v", len(got), got["d-1"])
	}
}

func TestJSONLinesAsDrafts(t *testing.T) {
	storetest.Each(t, testJSONLinesAsDrafts)
}

// testJSONLinesAsDrafts: imported as drafts, articles wait for the
// newsroom; authors are found again by name rather than made twice.
func testJSONLinesAsDrafts(t *testing.T, s *store.Store) {
	importLines(t, s, news.StatusDraft,
		`{"id": "e-1", "title": "مسودة", "body": "نص", "author": "ليلى حداد"}`,
		`{"id": "e-2", "title": "مسودة ثانية", "body": "نص", "author": " ليلى   حداد "}`,
	)
	got := imported(t, s)
	authors, err := s.ListAuthors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["e-1"].Status != news.StatusDraft || len(authors) != 1 ||
		len(got["e-2"].Authors) != 1 || got["e-2"].Authors[0].ID != authors[0].ID {
		t.Errorf("drafts: %+v; authors %+v", got, authors)
	}
}

func TestJSONLinesProgressAndErrors(t *testing.T) {
	storetest.Each(t, testJSONLinesProgressAndErrors)
}

// failingReader gives its text, then an error.
type failingReader struct{ r io.Reader }

var errDisk = errors.New("disk on fire")

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errDisk
	}
	return n, err
}

// testJSONLinesProgressAndErrors: progress comes every hundred records
// and at the end; a reader's failure or a cancelled import stops with
// an error, keeping what was imported before it.
func testJSONLinesProgressAndErrors(t *testing.T, s *store.Store) {
	ctx := context.Background()
	var seen []int
	in := strings.Repeat("{}\n", 250)
	if _, err := JSONL(ctx, s, strings.NewReader(in), news.StatusPublished, func(st Stats) { seen = append(seen, st.Read) }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[0] != 100 || seen[1] != 200 || seen[2] != 250 {
		t.Errorf("progress at %v, want [100 200 250]", seen)
	}
	r := failingReader{strings.NewReader(`{"id": "f-1", "title": "قبل العطل", "body": "نص"}` + "\n" + `{"id": "f-2", "tit`)}
	st, err := JSONL(ctx, s, r, news.StatusPublished, nil)
	if !errors.Is(err, errDisk) || st.Imported != 1 {
		t.Errorf("reader failure: %v, %+v", err, st)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := JSONL(cancelled, s, strings.NewReader(`{"id": "f-3", "title": "t", "body": "x"}`), news.StatusPublished, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled import: %v", err)
	}
	if got := imported(t, s); len(got) != 1 || got["f-1"] == nil {
		t.Errorf("stored after the failures: %v", got)
	}
}
