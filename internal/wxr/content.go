package wxr

import (
	"encoding/json"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"khabar/internal/news"
	"khabar/internal/paste"
)

// Image is a picture the content shows: its address, the attachment id
// WordPress gave it when known (wp-image-ID, [gallery ids]), and its text.
type Image struct {
	Src     string
	ID      int64
	Alt     string
	Caption string
}

// ImageFunc finds the library item for a picture of the content; false
// when there is none (the picture is then left out and reported).
type ImageFunc func(Image) (news.Block, bool)

// Converted is an item's content as blocks, with what could not be kept.
type Converted struct {
	Blocks   []news.Block
	Warnings []string // each once, sorted
}

// Special parts of WordPress content, found before the rest goes to the
// paste cleaner: pictures, embeds and tables have no paste equivalent.
var (
	reSpecial = regexp.MustCompile(`(?is)` + strings.Join([]string{
		`<!--\s*wp:(?:core-)?embed(?:/[\w-]+)?\s+(\{.*?\})\s*/?-->(?:.*?<!--\s*/wp:(?:core-)?embed(?:/[\w-]+)?\s*-->)?`, // 1: embed attributes
		`\[caption([^\]]*)\](.*?)\[/caption\]`, // 2, 3
		`<figure\b[^>]*>(.*?)</figure>`,        // 4
		`(<img\b[^>]*>)`,                       // 5
		`<iframe\b[^>]*\bsrc\s*=\s*["']([^"']+)["'][^>]*>(?:.*?</iframe>)?`, // 6
		`\[embed[^\]]*\](.*?)\[/embed\]`,                                    // 7
		`\[gallery([^\]]*)\]`,                                               // 8
		`\[(video|audio)([^\]]*)\](?:.*?\[/(?:video|audio)\])?`,             // 9, 10
		`(<table\b.*?</table>)`,                                             // 11
		`(?m:^[ \t]*(https?://[^\s<>"]+)[ \t]*$)`,                           // 12: a URL alone on its line
	}, "|"))
	reAttr      = regexp.MustCompile(`(?is)\b([a-z0-9_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>\]]+))`)
	reImgID     = regexp.MustCompile(`\bwp-image-(\d+)\b`)
	reFigcap    = regexp.MustCompile(`(?is)<figcaption\b[^>]*>(.*?)</figcaption>`)
	reShortcode = regexp.MustCompile(`\[/?([a-zA-Z][\w-]*)(?:\s[^\]]*)?\]`)
	reImg       = regexp.MustCompile(`(?is)<img\b[^>]*>`)
	reNotCap    = regexp.MustCompile(`(?is)<img\b[^>]*>|<a\b[^>]*>|</a>`)
	reBlankLine = regexp.MustCompile(`\n[ \t]*\n`)
	reBlockTag  = regexp.MustCompile(`(?i)^\s*</?(?:p|div|h[1-6]|ul|ol|li|blockquote|table|pre|figure|hr|dl|address|section)\b`)
)

// known shortcodes are those the converter reads; others stay as text.
var known = map[string]bool{"caption": true, "embed": true, "gallery": true, "video": true, "audio": true}

// Content converts a post's content, Gutenberg block markup or the
// classic editor's HTML with its wpautop newlines and shortcodes, into
// blocks through the paste cleaner, so no script or style survives.
// Pictures become image blocks through img, embeds of known providers
// embed blocks and tables html blocks.
func Content(src string, img ImageFunc) Converted {
	var c converter
	c.img = img
	c.warn = map[string]bool{}
	src = strings.ReplaceAll(src, "\r\n", "\n")
	if !strings.Contains(src, "<!-- wp:") {
		src = autop(src)
	}
	for _, m := range reShortcode.FindAllStringSubmatch(src, -1) {
		if !known[strings.ToLower(m[1])] {
			c.warnf("unknown shortcode [" + m[1] + "] kept as text")
		}
	}
	c.convert(src)
	out := Converted{Blocks: c.out}
	for w := range c.warn {
		out.Warnings = append(out.Warnings, w)
	}
	sort.Strings(out.Warnings)
	if len(out.Blocks) > news.MaxBlocks {
		out.Blocks = out.Blocks[:news.MaxBlocks]
		out.Warnings = append(out.Warnings, "more than 500 blocks: the rest left out")
	}
	return out
}

type converter struct {
	out  []news.Block
	img  ImageFunc
	warn map[string]bool
}

// convert hands the HTML between special parts to the paste cleaner.
func (c *converter) convert(src string) {
	last := 0
	for _, m := range reSpecial.FindAllStringSubmatchIndex(src, -1) {
		c.html(src[last:m[0]])
		last = m[1]
		c.special(src, m)
	}
	c.html(src[last:])
}

func (c *converter) warnf(s string) { c.warn[s] = true }

func (c *converter) html(s string) {
	if strings.TrimSpace(s) != "" {
		c.out = append(c.out, paste.Blocks(s)...)
	}
}

func (c *converter) special(src string, m []int) {
	g := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return src[m[2*i]:m[2*i+1]]
	}
	switch {
	case g(1) != "":
		var attrs struct {
			URL string `json:"url"`
		}
		json.Unmarshal([]byte(g(1)), &attrs)
		c.embed(attrs.URL)
	case m[4] >= 0: // [caption]<img …> text[/caption]
		inner := g(3)
		im := imageOf(inner)
		im.Caption = strings.TrimSpace(news.StripTags(reNotCap.ReplaceAllString(inner, "")))
		if cap := attrs(g(2))["caption"]; cap != "" {
			im.Caption = cap
		}
		c.image(im)
	case m[8] >= 0: // <figure>: a picture with its caption, or a wrapper
		inner := g(4)
		if !strings.Contains(strings.ToLower(inner), "<img") {
			c.convert(stripFigure(inner))
			return
		}
		cap := ""
		if fm := reFigcap.FindStringSubmatch(inner); fm != nil {
			cap = strings.TrimSpace(news.StripTags(fm[1]))
			inner = strings.Replace(inner, fm[0], "", 1)
		}
		imgs := reImg.FindAllString(inner, -1)
		for i, tag := range imgs {
			im := imageOf(tag)
			if i == len(imgs)-1 && im.Caption == "" {
				im.Caption = cap
			}
			c.image(im)
		}
	case g(5) != "":
		c.image(imageOf(g(5)))
	case g(6) != "":
		c.embed(g(6))
	case m[14] >= 0:
		c.embed(strings.TrimSpace(g(7)))
	case m[16] >= 0:
		a := attrs(g(8))
		ids := strings.FieldsFunc(a["ids"], func(r rune) bool { return r == ',' || r == ' ' })
		if len(ids) == 0 {
			c.warnf("[gallery] without ids: the post's attached pictures are not listed in the export")
		}
		for _, s := range ids {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				c.image(Image{ID: id})
			}
		}
	case m[18] >= 0:
		a := attrs(g(10))
		src := a["src"]
		for _, k := range []string{"mp4", "webm", "mp3", "m4a", "ogg", "wav"} {
			if src == "" {
				src = a[k]
			}
		}
		if src == "" {
			c.warnf("[" + g(9) + "] without a source left out")
			return
		}
		if news.EmbedProvider(httpsURL(src)) != "" {
			c.embed(src)
			return
		}
		// No audio or video block yet: a link keeps the file reachable.
		c.html(`<p><a href="` + html.EscapeString(src) + `">` + html.EscapeString(src) + `</a></p>`)
		c.warnf("[" + g(9) + "] kept as a link")
	case g(11) != "":
		c.add(news.Block{Type: news.BlockHTML, Text: g(11)})
	case g(12) != "":
		u := g(12)
		if news.EmbedProvider(httpsURL(u)) != "" {
			c.embed(u)
			return
		}
		c.html(`<p><a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + `</a></p>`)
	}
}

// add keeps b if it passes the article's rules.
func (c *converter) add(b news.Block) {
	a := news.Article{Headline: "-", SectionID: 1, Body: []news.Block{b}}
	if a.Normalize() == nil {
		c.out = append(c.out, a.Body[0])
	}
}

func (c *converter) embed(raw string) {
	u := httpsURL(html.UnescapeString(strings.TrimSpace(raw)))
	if news.EmbedProvider(u) == "" {
		if u != "" {
			c.warnf("embed of an unsupported site kept as a link")
			c.html(`<p><a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + `</a></p>`)
		}
		return
	}
	if id := news.YouTubeID(u); strings.Contains(u, "/embed/") && id != "" {
		u = "https://www.youtube.com/watch?v=" + id
	}
	c.add(news.Block{Type: news.BlockEmbed, URL: u})
}

func (c *converter) image(im Image) {
	if c.img == nil {
		c.warnf("pictures left out: no media imported")
		return
	}
	b, ok := c.img(im)
	if !ok {
		c.warnf("picture not in the media library left out")
		return
	}
	if im.Alt != "" && b.Alt == "" {
		b.Alt = im.Alt
	}
	if im.Caption != "" {
		b.Caption = im.Caption
	}
	c.add(b)
}

// imageOf reads the first <img> of s.
func imageOf(s string) Image {
	tag := reImg.FindString(s)
	a := attrs(tag)
	im := Image{Src: html.UnescapeString(a["src"]), Alt: html.UnescapeString(a["alt"])}
	if m := reImgID.FindStringSubmatch(a["class"]); m != nil {
		im.ID, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return im
}

// attrs reads name="value" pairs of a tag or a shortcode.
func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range reAttr.FindAllStringSubmatch(s, -1) {
		out[strings.ToLower(m[1])] = m[2] + m[3] + m[4]
	}
	return out
}

func stripFigure(s string) string { return reFigcap.ReplaceAllString(s, "<p>$1</p>") }

// httpsURL upgrades an http link to a provider that answers https.
func httpsURL(u string) string {
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		return "https://" + rest
	}
	return u
}

// autop is WordPress's wpautop in short: in classic-editor content a blank
// line ends a paragraph and a single newline is a line break, except
// around block-level markup, which keeps its own shape.
func autop(s string) string {
	parts := reBlankLine.Split(strings.TrimSpace(s), -1)
	var sb strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if reBlockTag.MatchString(p) || reSpecial.MatchString(p) && reSpecial.FindString(p) == p {
			sb.WriteString(p)
			sb.WriteString("\n")
			continue
		}
		sb.WriteString("<p>")
		sb.WriteString(strings.ReplaceAll(p, "\n", "<br>\n"))
		sb.WriteString("</p>\n")
	}
	return sb.String()
}
