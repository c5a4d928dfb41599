// Package comment owns reader comments: the checks a new comment goes
// through (form token, honeypot, rate limits, bans, word lists, links,
// duplicates, first-time commenters), the keyed hashes that stand in for
// addresses, and the decision to publish, hold or refuse.
package comment

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"khabar/internal/arabic"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/settings"
)

// Rules are the outlet's word lists and holds, prepared for matching.
type Rules struct {
	block, hold [][]string // each phrase as analysed terms
	HoldLinks   bool
	HoldFirst   bool
}

// NewRules prepares the settings' word lists. Words are matched after the
// same analysis as search (normalisation, stop words dropped, then light
// stemming), so
// «تـــافه» with tatweel, «تَافِه» with diacritics, «التافه» and
// «تا‌فه» with a zero-width character all match «تافه».
func NewRules(s settings.Settings) Rules {
	return Rules{block: phrases(s.CommentBlock), hold: phrases(s.CommentHold), HoldLinks: s.CommentHoldLinks, HoldFirst: s.CommentHoldFirst}
}

func phrases(list string) [][]string {
	var out [][]string
	for _, w := range settings.WordList(list) {
		if terms := arabic.Terms(w); len(terms) > 0 {
			out = append(out, terms)
		}
	}
	return out
}

func matchAny(list [][]string, terms []string) bool {
	for _, p := range list {
		for i := 0; i+len(p) <= len(terms); i++ {
			if slices.Equal(terms[i:i+len(p)], p) {
				return true
			}
		}
	}
	return false
}

// linkPattern finds what a reader can follow or paste as a link: a
// scheme, "www.", or a bare domain with a common top-level name.
var linkPattern = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://|www\.|[a-z0-9-]+\.(com|net|org|info|io|me|ly|co|xyz|top|ru|cn|link|click|site|online|shop)\b)`)

// HasLink reports whether text carries a link.
func HasLink(text string) bool { return linkPattern.MatchString(arabic.Normalize(text)) }

// Verdict is what becomes of a comment that passed the hard checks.
type Verdict struct {
	Status  news.CommentStatus
	HeldFor string // why it waits, when pending
}

// Facts are what the store knows about the commenter and the text.
type Facts struct {
	HasApproved bool
	Duplicate   bool
}

// Decide publishes, holds or refuses a comment under mode and rules. A
// refusal is an *Error; holds name their reason for the moderators.
func Decide(mode news.CommentsMode, r Rules, f Facts, c *news.Comment) (Verdict, error) {
	text := c.Name + "\n" + c.Body
	terms := arabic.Terms(text)
	switch {
	case mode == news.CommentsClosed:
		return Verdict{}, &Error{Code: CodeClosed}
	case matchAny(r.block, terms):
		return Verdict{}, &Error{Code: CodeBlocked}
	case f.Duplicate:
		return Verdict{Status: news.CommentPending, HeldFor: "duplicate"}, nil
	case matchAny(r.hold, terms):
		return Verdict{Status: news.CommentPending, HeldFor: "word"}, nil
	case r.HoldLinks && HasLink(text):
		return Verdict{Status: news.CommentPending, HeldFor: "link"}, nil
	case r.HoldFirst && !f.HasApproved:
		return Verdict{Status: news.CommentPending, HeldFor: "first"}, nil
	case mode == news.CommentsPost:
		return Verdict{Status: news.CommentApproved}, nil
	}
	return Verdict{Status: news.CommentPending, HeldFor: "mode"}, nil
}

// Mode is the comment mode in force on an article at t: the article's
// own, else its section's, else the site's; closed once the auto-close
// period since publication has passed.
func Mode(a *news.Article, s settings.Settings, t time.Time) news.CommentsMode {
	mode := a.CommentsMode
	if mode == news.CommentsDefault && a.Section != nil {
		mode = a.Section.CommentsMode
	}
	if mode == news.CommentsDefault {
		mode = s.CommentMode
	}
	if mode == news.CommentsDefault {
		mode = news.CommentsPre
	}
	if closes := ClosesAt(a, s); !closes.IsZero() && !t.Before(closes) {
		return news.CommentsClosed
	}
	return mode
}

// ClosesAt is when comments on a article close by themselves; zero if
// never.
func ClosesAt(a *news.Article, s settings.Settings) time.Time {
	if s.CommentCloseDays <= 0 || a.PublishedAt.IsZero() {
		return time.Time{}
	}
	return a.PublishedAt.AddDate(0, 0, s.CommentCloseDays)
}

// Error is a refusal, with a code the front ends turn into a message.
type Error struct {
	Code       string
	RetryAfter time.Duration // for rate limits
}

func (e *Error) Error() string { return "comment refused: " + e.Code }

// NeedsToken tells whether the refused form's token cannot be sent again
// (spent, too old, forged, another article's): the answer brings a fresh
// one.
func (e *Error) NeedsToken() bool {
	switch e.Code {
	case CodeTokenUsed, CodeExpired, CodeBadToken, CodeOtherArticle:
		return true
	}
	return false
}

// Message is the refusal as the commenter reads it; one sent too soon
// says how many seconds are left to wait.
func (e *Error) Message(cat *locale.Catalog, d locale.Digits) string {
	if e.Code == CodeTooFast {
		return cat.T("comment_err_"+e.Code, cat.N("wait_seconds", e.RetrySeconds(), d))
	}
	return cat.T("comment_err_" + e.Code)
}

// RetrySeconds is RetryAfter in whole seconds, rounded up, for a
// Retry-After header and for the message.
func (e *Error) RetrySeconds() int { return int((e.RetryAfter + time.Second - 1) / time.Second) }

// Kind says how a surface answers the refusal: slow down, not found, not
// allowed, or a form we did not make.
func (e *Error) Kind() news.Kind {
	switch e.Code {
	case CodeRateIP, CodeRateArticle, CodeTooFast:
		return news.KindTooMany
	case CodeNotFound:
		return news.KindNotFound
	case CodeBanned, CodeClosed, CodeSpam, CodeBlocked:
		return news.KindForbidden
	case CodeParentGone, CodeTokenUsed:
		return news.KindConflict
	}
	return news.KindMalformed
}

// Refusal codes; the catalogue has "comment_err_" + code.
const (
	CodeClosed      = "closed"
	CodeBlocked     = "blocked"
	CodeBanned      = "banned"
	CodeRateIP      = "rate_ip"
	CodeRateArticle = "rate_article"
	CodeTooFast     = "too_fast"
	CodeExpired     = "expired"
	CodeBadToken    = "bad_token"
	// CodeTokenUsed: the form's token made a comment already; one token,
	// one comment.
	CodeTokenUsed = "token_used"
	// CodeOtherArticle: a good token, of another article's form.
	CodeOtherArticle = "other_article"
	CodeSpam         = "spam"
	CodeNotFound     = "not_found"
	CodeParentGone   = "parent_gone"
)

// normalisedBody is what duplicates are compared on.
func normalisedBody(body string) string {
	return strings.Join(strings.Fields(arabic.Normalize(body)), " ")
}
