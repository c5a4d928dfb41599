// Package wire reads agency copy: IPTC NewsML-G2 news items (with NITF
// or XHTML bodies, or plain text) and IPTC ninjs documents (1.x to 3.x),
// into Items the wire desk keeps. It is pure: bytes in, items or a
// refusal with a stable reason out; storing, watching folders and HTTP
// are the callers'.
//
// Every file is hostile until read: too large, not UTF-8, a DOCTYPE (the
// door to entity bombs and external entities), nesting deeper than any
// news item needs, or more elements than one could hold are refused
// before anything is kept.
package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// MaxSize is the largest file read: agency text items are tens of
// kilobytes; 10 MB leaves room for a long item with inline XML markup.
const MaxSize = 10 << 20

// Limits on a file's shape, far above any real item.
const (
	maxDepth    = 64
	maxElements = 200_000
	maxItems    = 500 // news items in one NewsML-G2 newsMessage
)

// Formats of agency files.
const (
	FormatNewsML = "newsml-g2"
	FormatNinjs  = "ninjs"
)

// Status is an item's publication status: whether it may be used.
type Status string

// The statuses of IPTC's pubstatusg2 vocabulary.
const (
	Usable   Status = "usable"
	Withheld Status = "withheld"
	Canceled Status = "canceled"
)

// Subject is a concept the item is about: its code in a vocabulary (a
// NewsML-G2 qcode or a ninjs uri or literal) and its name.
type Subject struct {
	Code string `json:"code,omitempty"`
	Name string `json:"name"`
}

// Item is one piece of agency copy as the desk keeps it.
type Item struct {
	Format string
	// GUID identifies the item across its versions (newsItem@guid, ninjs
	// uri); Version orders them (0 when the agency gives none).
	GUID    string
	Version int64
	// Provider is the agency: its name, else its code.
	Provider   string
	Headline   string
	Lead       string
	Slugline   string
	Dateline   string
	Located    string
	Byline     string
	Creditline string
	Copyright  string
	EdNote     string
	Language   string
	Subjects   []Subject
	// BodyHTML is the body as markup (to go through the paste cleaner);
	// BodyText the body as plain text when the agency sent no markup.
	BodyHTML string
	BodyText string
	Status   Status
	// Embargoed, when set, is the time before which the item must not be
	// published.
	Embargoed      time.Time
	VersionCreated time.Time
	FirstCreated   time.Time
	Urgency        int
	// Signals are NewsML-G2's signal qcodes (sig:update, sig:correction).
	Signals []string
	// PreviousVersion is the GUID or URI a NewsML-G2 link names as the
	// item's previous version.
	PreviousVersion string
}

// Reasons a file is refused, stable codes the desk shows (through the
// locale catalogue) and the quarantine records.
const (
	ReasonTooLarge   = "too_large"
	ReasonEmpty      = "empty"
	ReasonNotUTF8    = "not_utf8"
	ReasonDoctype    = "doctype"
	ReasonTooDeep    = "too_deep"
	ReasonMalformed  = "malformed"
	ReasonEncoding   = "encoding"
	ReasonUnknown    = "unknown_format"
	ReasonNoItem     = "no_item"
	ReasonNoGUID     = "no_guid"
	ReasonNotText    = "not_text"
	ReasonBadTime    = "bad_time"
	ReasonBadStatus  = "bad_status"
	ReasonNoHeadline = "no_headline"
)

// Reasons are every refusal reason, for those who name them all (the
// locale catalogue's messages).
var Reasons = []string{ReasonTooLarge, ReasonEmpty, ReasonNotUTF8, ReasonDoctype, ReasonTooDeep, ReasonMalformed, ReasonEncoding,
	ReasonUnknown, ReasonNoItem, ReasonNoGUID, ReasonNotText, ReasonBadTime, ReasonBadStatus, ReasonNoHeadline}

// Refusal is why a file was not taken: a stable reason and a detail for
// the person who looks at the quarantine.
type Refusal struct {
	Reason string
	Detail string
}

func (r *Refusal) Error() string { return "wire: " + r.Reason + ": " + r.Detail }

func refuse(reason, format string, args ...any) error {
	return &Refusal{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// ReasonOf is err's refusal reason, "" when err is not a refusal.
func ReasonOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// Parse reads one agency file: NewsML-G2 (a newsItem, or a newsMessage
// of several) or ninjs. Every item is checked; one bad item refuses the
// file, so nothing of a file is half taken.
func Parse(data []byte) ([]Item, error) {
	if len(data) > MaxSize {
		return nil, refuse(ReasonTooLarge, "%d bytes, more than %d", len(data), MaxSize)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, refuse(ReasonEmpty, "the file is empty")
	}
	if !utf8.Valid(data) {
		return nil, refuse(ReasonNotUTF8, "the file is not valid UTF-8")
	}
	var items []Item
	var err error
	switch trimmed[0] {
	case '<':
		items, err = parseNewsML(data)
	case '{':
		var it Item
		it, err = parseNinjs(data)
		items = []Item{it}
	default:
		return nil, refuse(ReasonUnknown, "neither XML (NewsML-G2) nor JSON (ninjs)")
	}
	if err != nil {
		return nil, err
	}
	for i := range items {
		if err := items[i].check(); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// check refuses an item the desk could not use, and tidies its text.
func (it *Item) check() error {
	it.GUID = strings.TrimSpace(it.GUID)
	if it.GUID == "" {
		return refuse(ReasonNoGUID, "the item has no identifier (newsItem guid, ninjs uri)")
	}
	if len(it.GUID) > 500 {
		return refuse(ReasonNoGUID, "the identifier is %d bytes long", len(it.GUID))
	}
	for _, s := range []*string{&it.Provider, &it.Headline, &it.Lead, &it.Slugline, &it.Dateline, &it.Located, &it.Byline, &it.Creditline,
		&it.Copyright, &it.EdNote, &it.Language, &it.PreviousVersion} {
		*s = oneLine(*s)
	}
	it.BodyText = strings.TrimSpace(it.BodyText)
	if it.Headline == "" {
		it.Headline = it.Slugline
	}
	if it.Headline == "" {
		return refuse(ReasonNoHeadline, "item %s has no headline", it.GUID)
	}
	switch it.Status {
	case "":
		it.Status = Usable
	case Usable, Withheld, Canceled:
	default:
		return refuse(ReasonBadStatus, "item %s: status %q", it.GUID, it.Status)
	}
	return nil
}

// oneLine is s with its runs of white space (agencies indent their XML)
// as one space, trimmed.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseTime reads an agency's date and time: RFC 3339, or without a zone
// (read as UTC), or a date alone. Empty is the zero time.
func parseTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, refuse(ReasonBadTime, "%s %q is not a date and time", field, s)
}

// statusOf reads a pubStatus code in any of its spellings: usable,
// stat:usable, or the vocabulary's URI.
func statusOf(code string) Status {
	code = strings.TrimSpace(code)
	if i := strings.LastIndexAny(code, ":/"); i >= 0 {
		code = code[i+1:]
	}
	return Status(strings.ToLower(code))
}

// Stored is an item as the desk keeps it.
type Stored struct {
	Item
	ID int64
	// Source is where it came in: "folder", or "push:" and the agency
	// the pushing token belongs to.
	Source     string
	ReceivedAt time.Time
	// Latest is true for the newest version of its GUID.
	Latest bool
}

// Digest identifies the item's content: the same item received twice
// (a file dropped again, a push retried) has the same digest.
func (it *Item) Digest() string {
	b, _ := json.Marshal(it) // an Item always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Text is what the desk's search reads of the item: its headline, lead,
// slugline, dateline and body, without markup.
func (it *Item) Text() string {
	parts := []string{it.Headline, it.Lead, it.Slugline, it.Dateline, it.BodyText}
	if it.BodyHTML != "" {
		z := html.NewTokenizer(strings.NewReader(it.BodyHTML))
		var sb strings.Builder
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			switch tt {
			case html.TextToken:
				sb.Write(z.Text())
			case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
				sb.WriteByte(' ') // <p>a</p><p>b</p> is two words
			}
		}
		parts = append(parts, sb.String())
	}
	return strings.Join(parts, "\n")
}
