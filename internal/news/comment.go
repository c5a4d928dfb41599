package news

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// CommentStatus is where a reader comment stands in moderation.
type CommentStatus string

const (
	CommentPending  CommentStatus = "pending"
	CommentApproved CommentStatus = "approved"
	CommentSpam     CommentStatus = "spam"
	CommentRejected CommentStatus = "rejected"
	// CommentDeleted is a removal by a moderator: the row stays, for the
	// commenter's history and the audit log, but nobody reads it.
	CommentDeleted CommentStatus = "deleted"
)

// Valid reports whether st is a known status.
func (st CommentStatus) Valid() bool {
	switch st {
	case CommentPending, CommentApproved, CommentSpam, CommentRejected, CommentDeleted:
		return true
	}
	return false
}

// Comment is a reader's comment on an article.
type Comment struct {
	ID        int64
	ArticleID int64
	ParentID  int64 // 0 for a top-level comment; replies are one level deep
	Status    CommentStatus
	Name      string
	Email     string // optional; only moderators and reply notices use it
	Body      string
	// Identity and IPHash are keyed hashes (of the e-mail address or name,
	// and of the address): enough to ban and to see a commenter's history,
	// never the address itself.
	Identity string
	IPHash   string
	// BodyHash finds the same text posted twice.
	BodyHash string
	// HeldFor says why a comment waits for a moderator ("link",
	// "word", "first", "duplicate", "mode").
	HeldFor   string
	Reports   int
	Notify    bool // e-mail the commenter when a reply to them is approved
	CreatedAt time.Time
	UpdatedAt time.Time

	Replies []Comment // filled by reader listings
	// Article headline and path, filled by moderation listings.
	ArticleHeadline string
}

// Comment limits, in characters.
const (
	CommentNameMax  = 60
	CommentBodyMax  = 2000
	CommentEmailMax = 254
)

// hiddenRunes are invisible characters that reorder or hide text: the
// bidirectional overrides and isolates (a «U+202E» flips what follows),
// zero-width spaces and joiners used to split a word past a filter, and
// the byte-order mark. ZWJ and ZWNJ are kept: emoji sequences and Persian
// spelling need them, and matching ignores them anyway.
var hiddenRunes = strings.NewReplacer(
	"\u200b", "", "\u200e", "", "\u200f", "", "\u061c", "",
	"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
	"\u2060", "", "\u2061", "", "\u2062", "", "\u2063", "", "\u2064", "",
	"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "", "\ufeff", "", "\u180e", "",
)

// CleanName tidies a name someone typed (a reader's, an account's, the
// outlet's): one line, without the invisible characters that could
// reorder the text around it or make an empty name look filled.
func CleanName(s string) string { return CleanLine(hiddenRunes.Replace(s)) }

var blankLines = regexp.MustCompile(`\n{3,}`)

// CleanComment checks and tidies what a reader typed: plain text only
// (it is always escaped on output, never interpreted), invisible
// direction and zero-width characters removed, limits enforced. Invalid
// UTF-8 is refused rather than repaired, so nothing is silently changed.
func CleanComment(c *Comment) error {
	var v Invalid
	for field, s := range map[string]string{"name": c.Name, "email": c.Email, "body": c.Body} {
		if !utf8.ValidString(s) {
			v.Add(field, "bad_encoding")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	c.Name = CleanName(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	body := hiddenRunes.Replace(cleanText(c.Body))
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	c.Body = blankLines.ReplaceAllString(strings.TrimSpace(strings.Join(lines, "\n")), "\n\n")
	switch {
	case c.Name == "":
		v.Add("name", "required")
	case runeLen(c.Name) > CommentNameMax:
		v.Add("name", "too_long")
	}
	switch {
	case c.Body == "":
		v.Add("body", "required")
	case runeLen(c.Body) > CommentBodyMax:
		v.Add("body", "too_long")
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); len(c.Email) > CommentEmailMax || err != nil || a.Address != c.Email || a.Name != "" {
			v.Add("email", "bad_email")
		}
		c.Email = strings.ToLower(c.Email)
	}
	return v.Err()
}

// CommentBan keeps a commenter out until it expires (never, when zero).
type CommentBan struct {
	ID        int64
	Kind      string // BanIdentity or BanIP
	Value     string // the keyed hash
	Reason    string
	ExpiresAt time.Time
	CreatedBy string
	CreatedAt time.Time
}

// Ban kinds.
const (
	BanIdentity = "identity"
	BanIP       = "ip"
)
