package comment

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/settings"
)

func rulesOf(block, hold string) Rules {
	s := settings.Defaults()
	s.CommentBlock, s.CommentHold = block, hold
	return NewRules(s)
}

func TestDecide(t *testing.T) {
	r := rulesOf("تافه\nكلام فارغ", "حرب أهلية")
	first := rulesOf("", "")
	first.HoldFirst = true
	cases := []struct {
		name    string
		mode    news.CommentsMode
		rules   Rules
		facts   Facts
		body    string
		want    news.CommentStatus
		held    string
		refused string
	}{
		{"pre-moderation holds", news.CommentsPre, r, Facts{}, "رأي محترم", news.CommentPending, "mode", ""},
		{"post-moderation publishes", news.CommentsPost, r, Facts{}, "رأي محترم", news.CommentApproved, "", ""},
		{"closed refuses", news.CommentsClosed, r, Facts{}, "رأي", "", "", CodeClosed},
		{"blocked word", news.CommentsPost, r, Facts{}, "هذا رأي تافه جدا", "", "", CodeBlocked},
		{"blocked with tatweel", news.CommentsPost, r, Facts{}, "رأي تـــافه", "", "", CodeBlocked},
		{"blocked with diacritics", news.CommentsPost, r, Facts{}, "رأي تَافِهٌ", "", "", CodeBlocked},
		{"blocked with article and conjunction", news.CommentsPost, r, Facts{}, "والتافه يقول", "", "", CodeBlocked},
		{"blocked with zero-width space inside", news.CommentsPost, r, Facts{}, "تا\u200bفه", "", "", CodeBlocked},
		{"blocked with ZWNJ inside", news.CommentsPost, r, Facts{}, "تا\u200cفه", "", "", CodeBlocked},
		{"blocked phrase", news.CommentsPost, r, Facts{}, "هذا كلامٌ فارغٌ", "", "", CodeBlocked},
		{"phrase words apart do not match", news.CommentsPost, r, Facts{}, "كلام جميل غير فارغ", news.CommentApproved, "", ""},
		{"held phrase", news.CommentsPost, r, Facts{}, "نخشى حرباً أهلية", news.CommentPending, "word", ""},
		{"link held", news.CommentsPost, r, Facts{}, "انظر http://spam.example/x", news.CommentPending, "link", ""},
		{"bare domain held", news.CommentsPost, r, Facts{}, "زوروا casino-win.com الآن", news.CommentPending, "link", ""},
		{"www held", news.CommentsPost, r, Facts{}, "www.example", news.CommentPending, "link", ""},
		{"javascript: is inert text, not a link", news.CommentsPost, r, Facts{}, "javascript:alert(1)", news.CommentApproved, "", ""},
		{"duplicate held", news.CommentsPost, r, Facts{Duplicate: true}, "رأي", news.CommentPending, "duplicate", ""},
		{"first comment held", news.CommentsPost, first, Facts{}, "رأي", news.CommentPending, "first", ""},
		{"known commenter passes", news.CommentsPost, first, Facts{HasApproved: true}, "رأي", news.CommentApproved, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Decide(c.mode, c.rules, c.facts, &news.Comment{Name: "قارئ", Body: c.body})
			var e *Error
			if c.refused != "" {
				if !errors.As(err, &e) || e.Code != c.refused {
					t.Fatalf("got %v, %v; want refusal %s", v, err, c.refused)
				}
				return
			}
			if err != nil || v.Status != c.want || v.HeldFor != c.held {
				t.Fatalf("got %+v, %v; want %s held for %q", v, err, c.want, c.held)
			}
		})
	}
}

func TestBlockedWordInName(t *testing.T) {
	_, err := Decide(news.CommentsPost, rulesOf("تافه", ""), Facts{}, &news.Comment{Name: "التافه", Body: "مرحبا"})
	if e := (*Error)(nil); !errors.As(err, &e) || e.Code != CodeBlocked {
		t.Fatalf("a blocked word in the name passed: %v", err)
	}
}

func TestMode(t *testing.T) {
	pub := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	site := settings.Defaults()
	closing := site
	closing.CommentCloseDays = 7
	sec := &news.Section{CommentsMode: news.CommentsPost}
	cases := []struct {
		name string
		a    news.Article
		s    settings.Settings
		at   time.Time
		want news.CommentsMode
	}{
		{"site default", news.Article{PublishedAt: pub}, site, pub, news.CommentsPre},
		{"section wins over site", news.Article{PublishedAt: pub, Section: sec}, site, pub, news.CommentsPost},
		{"article wins over section", news.Article{PublishedAt: pub, Section: sec, CommentsMode: news.CommentsClosed}, site, pub, news.CommentsClosed},
		{"open before auto-close", news.Article{PublishedAt: pub}, closing, pub.AddDate(0, 0, 6), news.CommentsPre},
		{"closed after auto-close", news.Article{PublishedAt: pub}, closing, pub.AddDate(0, 0, 7), news.CommentsClosed},
	}
	for _, c := range cases {
		if got := Mode(&c.a, c.s, c.at); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestCleanComment(t *testing.T) {
	cases := []struct {
		name, field, body, email, code string
		wantBody                       string
	}{
		{name: "ok", body: "  سطر أول\n\n\n\nسطر ثانٍ  ", wantBody: "سطر أول\n\nسطر ثانٍ"},
		{name: "bidi override removed", body: "abc\u202eعكس\u202c", wantBody: "abcعكس"},
		{name: "zero-width removed", body: "تا\u200bفه\ufeff", wantBody: "تافه"},
		{name: "script kept as text", body: "<script>alert(1)</script>", wantBody: "<script>alert(1)</script>"},
		{name: "empty body", body: " \u200b ", field: "body", code: "required"},
		{name: "too long", body: strings.Repeat("ب", news.CommentBodyMax+1), field: "body", code: "too_long"},
		{name: "invalid utf-8", body: "abc\xff", field: "body", code: "bad_encoding"},
		{name: "bad email", body: "x", email: "not an address", field: "email", code: "bad_email"},
		{name: "email with display name", body: "x", email: "Eve <eve@example.com>", field: "email", code: "bad_email"},
		{name: "email header injection", body: "x", email: "eve@example.com\r\nBcc: all@example.com", field: "email", code: "bad_email"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cm := &news.Comment{Name: "قارئ", Body: c.body, Email: c.email}
			err := news.CleanComment(cm)
			if c.code == "" {
				if err != nil || cm.Body != c.wantBody {
					t.Fatalf("got %q, %v; want %q", cm.Body, err, c.wantBody)
				}
				return
			}
			var ie *news.InvalidError
			if !errors.As(err, &ie) || ie.Fields[c.field] != c.code {
				t.Fatalf("got %v; want %s: %s", err, c.field, c.code)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	clock := time.Unix(1_800_000_000, 0)
	s := &Service{key: []byte("0123456789abcdef0123456789abcdef"), now: func() time.Time { return clock }, MinFill: 3 * time.Second, MaxAge: time.Hour}
	tok := s.Token(7)
	if s.Token(7) == tok {
		t.Fatal("two forms of one article got the same token")
	}
	code := func(tok string, article int64) string {
		var e *Error
		if _, err := s.checkToken(tok, article); errors.As(err, &e) {
			return e.Code
		} else if err != nil {
			return err.Error()
		}
		return ""
	}
	if got := code(tok, 7); got != CodeTooFast {
		t.Fatalf("immediate post: %q", got)
	}
	clock = clock.Add(5 * time.Second)
	p := strings.Split(tok, ".")
	otherArticle := strings.Join([]string{p[0], "8", p[2], p[3]}, ".")
	older := strings.Join([]string{strconv.FormatInt(clock.Add(-time.Minute).Unix(), 36), p[1], p[2], p[3]}, ".")
	for _, c := range []struct{ tok, want string }{
		{tok, ""}, {tok + "x", CodeBadToken}, {"", CodeBadToken}, {"zz.zz", CodeBadToken}, {strings.Repeat("a", 100), CodeBadToken},
		{"1.7.nonce", CodeBadToken}, {otherArticle, CodeBadToken}, {older, CodeBadToken},
		// The format before tokens were spent: time and signature.
		{p[0] + "." + p[3], CodeBadToken},
	} {
		if got := code(c.tok, 7); got != c.want {
			t.Errorf("token %q: got %q, want %q", c.tok, got, c.want)
		}
	}
	if got := code(tok, 8); got != CodeOtherArticle {
		t.Errorf("token of another article: %q", got)
	}
	clock = clock.Add(2 * time.Hour)
	if got := code(tok, 7); got != CodeExpired {
		t.Errorf("old token: %q", got)
	}
}

// FuzzComment feeds arbitrary text through the reader-side checks: they
// must never panic, and what they accept is valid, visible-clean text
// within the limits.
func FuzzComment(f *testing.F) {
	for _, s := range []string{"رأي", "<script>alert(1)</script>", "a\u202eb", "\xff\xfe", "تـــافه http://x.com", "\u200b", strings.Repeat("ا ", 1500)} {
		f.Add(s, "قارئ", "")
	}
	r := rulesOf("تافه\nكلام فارغ", "حرب")
	f.Fuzz(func(t *testing.T, body, name, email string) {
		c := &news.Comment{Name: name, Body: body, Email: email}
		if err := news.CleanComment(c); err != nil {
			return
		}
		if !utf8.ValidString(c.Body) || strings.ContainsAny(c.Body+c.Name, "\u202e\u202d\u2066\u2067\u2068\u200b\ufeff\x00") {
			t.Fatalf("hidden or invalid characters kept: %q %q", c.Name, c.Body)
		}
		if utf8.RuneCountInString(c.Body) > news.CommentBodyMax || c.Body == "" || c.Name == "" {
			t.Fatalf("limits not enforced: %d runes", utf8.RuneCountInString(c.Body))
		}
		Decide(news.CommentsPost, r, Facts{}, c)
	})
}

// TestErrorKinds: what each refusal tells the reader to do, the same on
// the site's form and through the API.
func TestErrorKinds(t *testing.T) {
	want := map[string]news.Kind{
		CodeRateIP: news.KindTooMany, CodeRateArticle: news.KindTooMany, CodeTooFast: news.KindTooMany,
		CodeNotFound: news.KindNotFound, CodeParentGone: news.KindConflict,
		CodeBanned: news.KindForbidden, CodeClosed: news.KindForbidden, CodeSpam: news.KindForbidden, CodeBlocked: news.KindForbidden,
		CodeExpired: news.KindMalformed, CodeBadToken: news.KindMalformed, CodeOtherArticle: news.KindMalformed,
		CodeTokenUsed: news.KindConflict,
	}
	for code, kind := range want {
		if got := news.KindOf(fmt.Errorf("post: %w", &Error{Code: code})); got != kind {
			t.Errorf("%s: kind %d, want %d", code, got, kind)
		}
	}
}

// TestRefusalMessages: a comment sent too soon is told how long to wait,
// in the language's plural forms and the outlet's digits.
func TestRefusalMessages(t *testing.T) {
	ar, en := locale.For("ar"), locale.For("en")
	cases := []struct {
		cat   *locale.Catalog
		wait  time.Duration
		d     locale.Digits
		wants string
	}{
		{ar, 400 * time.Millisecond, locale.DigitsLatin, "انتظر ثانية واحدة ثم"},
		{ar, 2 * time.Second, locale.DigitsLatin, "انتظر ثانيتين ثم"},
		{ar, 2500 * time.Millisecond, locale.DigitsArabic, "انتظر ٣ ثوانٍ ثم"},
		{ar, 11 * time.Second, locale.DigitsLatin, "انتظر 11 ثانية ثم"},
		{en, 3 * time.Second, locale.DigitsLatin, "Wait 3 seconds and"},
	}
	for _, c := range cases {
		e := &Error{Code: CodeTooFast, RetryAfter: c.wait}
		if got := e.Message(c.cat, c.d); !strings.Contains(got, c.wants) {
			t.Errorf("%s after %v: %q, want %q", c.cat.Lang(), c.wait, got, c.wants)
		}
	}
	if got := (&Error{Code: CodeBanned}).Message(ar, locale.DigitsLatin); got != ar.T("comment_err_banned") {
		t.Errorf("a ban: %q", got)
	}
}
