// Package paste turns HTML from the clipboard (Word, Google Docs, web
// pages) into article blocks: headings, paragraphs, lists and quotes keep
// their shape; styles, classes, spans, comments and the editors' own
// markup (Word's mso- lists, Google's document wrapper) are dropped. Only
// the inline subset of paragraphs survives: strong, em, links and breaks.
package paste

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"khabar/internal/news"
)

// maxItems is how many items one list block takes; a longer pasted list
// continues in the next block rather than failing validation.
const maxItems = 100

// Blocks converts clipboard HTML into blocks that pass news validation.
// It never fails: markup it does not understand becomes paragraphs or is
// dropped.
func Blocks(src string) []news.Block {
	doc, err := html.Parse(strings.NewReader(strings.ToValidUTF8(src, "")))
	if err != nil {
		// The parser refuses markup nested hundreds of levels deep,
		// which no editor produces.
		return nil
	}
	c := &converter{}
	c.markBlocks(doc)
	c.walk(doc)
	c.flush()
	if len(c.out) > news.MaxBlocks {
		c.out = c.out[:news.MaxBlocks]
	}
	return c.out
}

// converter walks the parsed document at block level, gathering inline
// content into the paragraph being built until a block element ends it.
type converter struct {
	out  []news.Block
	para bytes.Buffer
	// list gathers consecutive Word list paragraphs, which Word pastes
	// as <p style="mso-list:…"> rather than <ul>/<ol>.
	list    []string
	ordered bool
	// hasBlock marks inline elements that wrap block elements, such as
	// Google Docs' <b id="docs-internal-guid-…"> around the whole paste.
	hasBlock map[*html.Node]bool
}

// skipped elements contribute nothing, text included.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Head: true, atom.Title: true, atom.Meta: true,
	atom.Link: true, atom.Template: true, atom.Noscript: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Svg: true, atom.Math: true, atom.Img: true, atom.Button: true,
	atom.Input: true, atom.Select: true, atom.Textarea: true, atom.Video: true, atom.Audio: true,
	atom.Canvas: true, atom.Frameset: true,
}

// blockLevel elements end the paragraph before them and after them.
var blockLevel = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Blockquote: true,
	atom.Hr: true, atom.Table: true, atom.Tr: true, atom.Td: true, atom.Th: true, atom.Section: true,
	atom.Article: true, atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Main: true,
	atom.Figure: true, atom.Figcaption: true, atom.Pre: true, atom.Address: true, atom.Dl: true,
	atom.Dt: true, atom.Dd: true, atom.Center: true, atom.Caption: true, atom.Body: true, atom.Html: true,
	atom.Nav: true, atom.Form: true, atom.Fieldset: true, atom.Legend: true,
}

// markBlocks records, in one pass, which elements contain block
// elements, so walk need not search subtrees again at every level.
func (c *converter) markBlocks(doc *html.Node) {
	c.hasBlock = map[*html.Node]bool{}
	var mark func(n *html.Node) bool
	mark = func(n *html.Node) bool {
		found := false
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type == html.ElementNode && !skipped[ch.DataAtom] && (blockLevel[ch.DataAtom] || mark(ch)) {
				found = true
				if blockLevel[ch.DataAtom] {
					mark(ch)
				}
			}
		}
		c.hasBlock[n] = found
		return found
	}
	mark(doc)
}

func (c *converter) walk(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if len(c.out) > news.MaxBlocks {
			return
		}
		switch ch.Type {
		case html.TextNode:
			if strings.TrimSpace(ch.Data) != "" {
				c.endList()
			}
			writeText(&c.para, ch.Data)
		case html.ElementNode:
			c.element(ch)
		}
	}
}

func (c *converter) element(n *html.Node) {
	a := n.DataAtom
	switch {
	case skipped[a] || isWordMarker(n):
		return
	case a == atom.P && isWordListItem(n):
		c.flushPara()
		item := inline(n)
		if len(c.list) == 0 {
			c.ordered = wordListOrdered(n)
		}
		if item != "" {
			c.list = append(c.list, item)
		}
		return
	case !blockLevel[a] && !c.hasBlock[n]:
		c.endList()
		writeInline(&c.para, n)
		return
	}
	c.flush()
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		// The article's own headline is the page's h1, so a pasted h1 and
		// h2 both become second-level headings.
		level := 2
		if a != atom.H1 && a != atom.H2 {
			level = 3
		}
		c.add(news.Block{Type: news.BlockHeading, Level: level, Text: news.CleanLine(plain(n))})
	case atom.Ul, atom.Ol:
		var items []string
		listItems(n, &items)
		c.addList(items, a == atom.Ol)
	case atom.Blockquote:
		c.add(news.Block{Type: news.BlockQuote, Text: plain(n)})
	case atom.Hr:
		c.add(news.Block{Type: news.BlockDivider})
	default:
		if a == atom.P && isWordQuote(n) {
			c.add(news.Block{Type: news.BlockQuote, Text: plain(n)})
			return
		}
		c.walk(n)
	}
	c.flush()
}

// flush ends the paragraph and the list being built.
func (c *converter) flush() {
	c.flushPara()
	c.endList()
}

func (c *converter) flushPara() {
	text := c.para.String()
	c.para.Reset()
	c.add(news.Block{Type: news.BlockParagraph, Text: text})
}

func (c *converter) endList() {
	if len(c.list) > 0 {
		c.addList(c.list, c.ordered)
		c.list = nil
	}
}

func (c *converter) addList(items []string, ordered bool) {
	for len(items) > 0 {
		n := min(len(items), maxItems)
		c.add(news.Block{Type: news.BlockList, Items: items[:n:n], Ordered: ordered})
		items = items[n:]
	}
}

// add normalises b as the article form would and keeps it if it is then
// valid. Text too long for one block is split, without its markup, into
// several: escaping can make sanitised text five times longer.
func (c *converter) add(b news.Block) {
	if b.Type == news.BlockParagraph {
		b.Text = trimBreaks(b.Text)
	}
	if utf8.RuneCountInString(b.Text) > news.MaxBlockText/5 && (b.Type == news.BlockParagraph || b.Type == news.BlockQuote) {
		for _, part := range split(news.StripTags(b.Text), news.MaxBlockText/5) {
			b.Text = part
			c.add(b)
		}
		return
	}
	a := news.Article{Headline: "-", SectionID: 1, Body: []news.Block{b}}
	if a.Normalize() == nil {
		c.out = append(c.out, a.Body[0])
	}
}

// split cuts s into parts of at most n runes, at spaces where it can.
func split(s string, n int) []string {
	var parts []string
	for utf8.RuneCountInString(s) > n {
		end := 0
		for i := 0; i < n; i++ {
			_, size := utf8.DecodeRuneInString(s[end:])
			end += size
		}
		if sp := strings.LastIndexByte(s[:end], ' '); sp > end/2 {
			end = sp
		}
		parts = append(parts, s[:end])
		s = strings.TrimLeft(s[end:], " ")
	}
	return append(parts, s)
}

// trimBreaks drops line breaks at the ends of a paragraph: Google Docs
// puts <br> between its paragraphs.
func trimBreaks(s string) string {
	for {
		t := strings.TrimSpace(s)
		t = strings.TrimSuffix(strings.TrimPrefix(t, "<br>"), "<br>")
		if t == s {
			return s
		}
		s = t
	}
}

// inline renders the inline content of n as the paragraph subset.
func inline(n *html.Node) string {
	var buf bytes.Buffer
	writeChildren(&buf, n)
	return trimBreaks(buf.String())
}

func writeChildren(buf *bytes.Buffer, n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch ch.Type {
		case html.TextNode:
			writeText(buf, ch.Data)
		case html.ElementNode:
			writeInline(buf, ch)
		}
	}
}

// writeInline writes element n in the paragraph subset: bold and italic
// (as tags or as Google's styled spans) become strong and em, safe links
// stay links, breaks stay; every other element gives only its content.
// It writes straight into buf and fixes up afterwards, so deeply nested
// markup costs no more than flat markup.
func writeInline(buf *bytes.Buffer, n *html.Node) {
	if skipped[n.DataAtom] || isWordMarker(n) {
		return
	}
	if n.DataAtom == atom.Br {
		buf.WriteString("<br>")
		return
	}
	if blockLevel[n.DataAtom] && buf.Len() > 0 && !bytes.HasSuffix(buf.Bytes(), []byte(" ")) {
		// A block inside inline content (a <p> in a list item) must not
		// glue its first word to the word before.
		buf.WriteByte(' ')
	}
	open, close := inlineTags(n)
	start := buf.Len()
	buf.WriteString(open)
	mark := buf.Len()
	writeChildren(buf, n)
	if open == "" {
		return
	}
	b := buf.Bytes()
	content := b[mark:]
	if len(bytes.TrimSpace(content)) == 0 {
		n := copy(b[start:], content)
		buf.Truncate(start + n)
		return
	}
	// Spaces stay outside the tags, so "<strong>word </strong>next"
	// does not glue words together once tags are stripped.
	if content[0] == ' ' {
		copy(b[start+1:mark+1], b[start:mark])
		b[start] = ' '
		if start > 0 && b[start-1] == ' ' {
			copy(b[start:], b[start+1:])
			buf.Truncate(len(b) - 1)
		}
	}
	trailing := bytes.HasSuffix(buf.Bytes(), []byte(" "))
	if trailing {
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteString(close)
	if trailing {
		buf.WriteByte(' ')
	}
}

// inlineTags are the tags n keeps, if any.
func inlineTags(n *html.Node) (open, close string) {
	style := strings.ToLower(strings.ReplaceAll(attr(n, "style"), " ", ""))
	switch {
	case n.DataAtom == atom.A:
		if href := strings.TrimSpace(attr(n, "href")); news.SafeLink(href) {
			return `<a href="` + html.EscapeString(href) + `">`, "</a>"
		}
	case n.DataAtom == atom.Strong || n.DataAtom == atom.B:
		if !strings.Contains(style, "font-weight:normal") && !strings.Contains(style, "font-weight:400") {
			return "<strong>", "</strong>"
		}
	case n.DataAtom == atom.Em || n.DataAtom == atom.I:
		return "<em>", "</em>"
	case strings.Contains(style, "font-weight:bold") || strings.Contains(style, "font-weight:700") ||
		strings.Contains(style, "font-weight:800") || strings.Contains(style, "font-weight:900"):
		return "<strong>", "</strong>"
	case strings.Contains(style, "font-style:italic"):
		return "<em>", "</em>"
	}
	return "", ""
}

// writeText writes text escaped, with runs of white space (Word's
// non-breaking spaces included) collapsed as a browser would show them.
func writeText(buf *bytes.Buffer, s string) {
	space := bytes.HasSuffix(buf.Bytes(), []byte(" "))
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				buf.WriteByte(' ')
				space = true
			}
			continue
		}
		space = false
		switch r {
		case '<':
			buf.WriteString("&lt;")
		case '>':
			buf.WriteString("&gt;")
		case '&':
			buf.WriteString("&amp;")
		case '"':
			buf.WriteString("&#34;")
		default:
			buf.WriteRune(r)
		}
	}
}

// plain is the text of n without markup, one line per block inside it.
func plain(n *html.Node) string {
	var lines []string
	var line strings.Builder
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			switch {
			case ch.Type == html.TextNode:
				line.WriteString(ch.Data)
			case ch.Type != html.ElementNode || skipped[ch.DataAtom] || isWordMarker(ch):
			case ch.DataAtom == atom.Br || blockLevel[ch.DataAtom]:
				lines = append(lines, line.String())
				line.Reset()
				visit(ch)
			default:
				visit(ch)
			}
		}
	}
	visit(n)
	lines = append(lines, line.String())
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// listItems gathers the items of a list; nested lists continue it, as
// list blocks have one level.
func listItems(n *html.Node, items *[]string) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode {
			continue
		}
		switch ch.DataAtom {
		case atom.Li:
			var buf bytes.Buffer
			var nested []*html.Node
			for g := ch.FirstChild; g != nil; g = g.NextSibling {
				switch {
				case g.Type == html.ElementNode && (g.DataAtom == atom.Ul || g.DataAtom == atom.Ol):
					nested = append(nested, g)
				case g.Type == html.TextNode:
					writeText(&buf, g.Data)
				case g.Type == html.ElementNode:
					writeInline(&buf, g)
				}
			}
			if it := trimBreaks(buf.String()); it != "" {
				*items = append(*items, it)
			}
			for _, l := range nested {
				listItems(l, items)
			}
		case atom.Ul, atom.Ol:
			listItems(ch, items)
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// isWordListItem: Word writes list items as paragraphs styled
// "mso-list:l0 level1 lfo1".
func isWordListItem(n *html.Node) bool {
	s := strings.ToLower(attr(n, "style"))
	return strings.Contains(s, "mso-list:") && !strings.Contains(s, "mso-list:none")
}

// isWordMarker is the span holding a Word list item's bullet or number,
// shown only by programs that cannot render Word's lists.
func isWordMarker(n *html.Node) bool {
	return n.DataAtom == atom.Span && strings.Contains(strings.ToLower(strings.ReplaceAll(attr(n, "style"), " ", "")), "mso-list:ignore")
}

// wordListOrdered reads the marker of a Word list item: a number or a
// letter ("1." "أ)") means an ordered list, a bullet ("·" "o" "§") not.
func wordListOrdered(p *html.Node) bool {
	var marker string
	var find func(n *html.Node)
	find = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil && marker == ""; ch = ch.NextSibling {
			if ch.Type == html.ElementNode && isWordMarker(ch) {
				var sb strings.Builder
				collectText(&sb, ch)
				marker = strings.TrimSpace(strings.Map(func(r rune) rune {
					if unicode.IsSpace(r) {
						return -1
					}
					return r
				}, sb.String()))
				return
			}
			find(ch)
		}
	}
	find(p)
	return strings.HasSuffix(marker, ".") || strings.HasSuffix(marker, ")") || strings.IndexFunc(marker, unicode.IsDigit) >= 0
}

func collectText(sb *strings.Builder, n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.TextNode {
			sb.WriteString(ch.Data)
		}
		collectText(sb, ch)
	}
}

// isWordQuote: Word's Quote and Intense Quote paragraph styles.
func isWordQuote(n *html.Node) bool {
	class := attr(n, "class")
	return strings.HasPrefix(class, "MsoQuote") || strings.HasPrefix(class, "MsoIntenseQuote")
}
