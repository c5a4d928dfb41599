package news

import (
	"errors"
	"html"
	"net/url"
	"sort"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// BlockType names a kind of body block.
type BlockType string

const (
	BlockParagraph BlockType = "paragraph"
	BlockHeading   BlockType = "heading"
	BlockQuote     BlockType = "quote"
	BlockImage     BlockType = "image"
	BlockEmbed     BlockType = "embed"
	BlockList      BlockType = "list"
	BlockDivider   BlockType = "divider"
	BlockFactbox   BlockType = "factbox"
	BlockRelated   BlockType = "related"
	BlockHTML      BlockType = "html"
)

// BlockTypes lists every type in the order editors are offered them.
var BlockTypes = []BlockType{BlockParagraph, BlockHeading, BlockQuote, BlockImage, BlockEmbed,
	BlockList, BlockDivider, BlockFactbox, BlockRelated, BlockHTML}

// Block is one element of an article body. One struct serves every type so
// that the JSON stored in the database stays flat and easy to migrate; the
// fields a type does not use stay empty.
type Block struct {
	Type BlockType `json:"type"`
	// Text is inline HTML (strong, em, a, br) for paragraphs and list
	// items, plain text for headings and quotes, sanitised HTML for html.
	Text      string   `json:"text,omitempty"`
	Level     int      `json:"level,omitempty"`      // heading: 2 or 3
	Cite      string   `json:"cite,omitempty"`       // quote: who said it
	MediaID   int64    `json:"media_id,omitempty"`   // image
	Caption   string   `json:"caption,omitempty"`    // image
	Credit    string   `json:"credit,omitempty"`     // image
	Alt       string   `json:"alt,omitempty"`        // image
	URL       string   `json:"url,omitempty"`        // embed
	Items     []string `json:"items,omitempty"`      // list, factbox: inline HTML each
	Ordered   bool     `json:"ordered,omitempty"`    // list
	Title     string   `json:"title,omitempty"`      // factbox
	ArticleID int64    `json:"article_id,omitempty"` // related
}

const maxListItems = 100

var (
	inlinePolicy = newInlinePolicy()
	htmlPolicy   = newHTMLPolicy()
)

// newInlinePolicy allows exactly the inline subset of DESIGN.md §3.
func newInlinePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("strong", "em", "br")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	return p
}

// newHTMLPolicy is for imported markup that has no block equivalent.
func newHTMLPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	return p
}

// SanitizeInline reduces s to the inline subset; everything else is
// escaped or dropped.
func SanitizeInline(s string) string {
	return strings.TrimSpace(inlinePolicy.Sanitize(cleanText(s)))
}

func (b *Block) normalize() {
	switch b.Type {
	case BlockParagraph:
		b.Text = SanitizeInline(b.Text)
	case BlockHTML:
		b.Text = strings.TrimSpace(htmlPolicy.Sanitize(cleanText(b.Text)))
	case BlockHeading, BlockQuote, BlockFactbox:
		b.Text = cleanText(b.Text)
		if b.Type == BlockHeading {
			b.Text = CleanLine(b.Text)
		}
	default:
		// Other types carry no free text; an importer's leftovers must not
		// linger unseen in the stored JSON.
		b.Text = ""
	}
	b.Cite = CleanLine(b.Cite)
	b.Caption = CleanLine(b.Caption)
	b.Credit = CleanLine(b.Credit)
	b.Alt = CleanLine(b.Alt)
	b.Title = CleanLine(b.Title)
	b.URL = strings.TrimSpace(b.URL)
	// A new slice: filtering in place would write into the caller's array,
	// which the block may share (the demo's stories are package data that
	// every node loading them at once would rewrite: a race).
	items := make([]string, 0, len(b.Items))
	for _, it := range b.Items {
		if it = SanitizeInline(it); it != "" {
			items = append(items, it)
		}
	}
	b.Items = items
	if b.Type == BlockHeading && b.Level == 0 {
		b.Level = 2
	}
}

// Validate reports the first problem with the block.
func (b *Block) Validate() error {
	if runeLen(b.Text) > MaxBlockText {
		return errors.New("block_too_long")
	}
	switch b.Type {
	case BlockParagraph, BlockQuote, BlockHTML:
		if b.Text == "" {
			return errors.New("block_empty")
		}
	case BlockHeading:
		if b.Text == "" {
			return errors.New("block_empty")
		}
		if b.Level != 2 && b.Level != 3 {
			return errors.New("heading_level")
		}
	case BlockImage:
		if b.MediaID <= 0 {
			return errors.New("image_media")
		}
	case BlockEmbed:
		if EmbedProvider(b.URL) == "" {
			return errors.New("embed_url")
		}
	case BlockList, BlockFactbox:
		if len(b.Items) == 0 && (b.Type == BlockList || b.Text == "") {
			return errors.New("block_empty")
		}
		if len(b.Items) > maxListItems {
			return errors.New("too_many_items")
		}
	case BlockRelated:
		if b.ArticleID <= 0 {
			return errors.New("related_article")
		}
	case BlockDivider:
	default:
		return errors.New("block_type")
	}
	return nil
}

// PlainText is the block's readable text without markup, for word counts,
// descriptions and push messages.
func (b *Block) PlainText() string {
	switch b.Type {
	case BlockParagraph, BlockHTML:
		return StripTags(b.Text)
	case BlockHeading, BlockQuote:
		return b.Text
	case BlockList, BlockFactbox:
		var sb strings.Builder
		sb.WriteString(b.Title)
		for _, it := range b.Items {
			sb.WriteByte(' ')
			sb.WriteString(StripTags(it))
		}
		return sb.String()
	case BlockImage:
		return b.Caption
	}
	return ""
}

// StripTags removes markup from sanitised HTML and decodes entities.
func StripTags(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var sb strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			sb.WriteByte(' ')
		case !in:
			sb.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(sb.String())), " ")
}

// embedHosts maps the hosts we accept for embeds to their provider.
var embedHosts = map[string]string{
	"youtube.com": "youtube", "www.youtube.com": "youtube", "m.youtube.com": "youtube", "youtu.be": "youtube",
	"x.com": "x", "twitter.com": "x", "www.twitter.com": "x", "mobile.twitter.com": "x",
	"facebook.com": "facebook", "www.facebook.com": "facebook", "fb.watch": "facebook",
	"instagram.com": "instagram", "www.instagram.com": "instagram",
	"tiktok.com": "tiktok", "www.tiktok.com": "tiktok",
	"t.me": "telegram",
}

// EmbedHosts lists the hosts EmbedProvider accepts, sorted, for the
// editor, which turns a pasted address on one of them into an embed.
func EmbedHosts() []string {
	hosts := make([]string, 0, len(embedHosts))
	for h := range embedHosts {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	return hosts
}

// EmbedProvider names the provider of an embed URL, or "" when the URL is
// not an https link to a supported provider.
func EmbedProvider(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || len(raw) > 2000 {
		return ""
	}
	return embedHosts[strings.ToLower(u.Hostname())]
}

// YouTubeID extracts the video id of a YouTube URL, or "".
func YouTubeID(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	var id string
	switch strings.ToLower(u.Hostname()) {
	case "youtu.be":
		id = strings.Trim(u.Path, "/")
	case "youtube.com", "www.youtube.com", "m.youtube.com":
		if v := u.Query().Get("v"); v != "" {
			id = v
		} else if rest, ok := strings.CutPrefix(u.Path, "/shorts/"); ok {
			id = rest
		} else if rest, ok := strings.CutPrefix(u.Path, "/embed/"); ok {
			id = rest
		}
	}
	if len(id) < 6 || len(id) > 20 {
		return ""
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return ""
		}
	}
	return id
}

// SafeLink accepts site-relative paths and absolute http(s) URLs.
func SafeLink(s string) bool {
	if len(s) > 2000 {
		return false
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return !strings.ContainsAny(s, "\\ ")
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}
