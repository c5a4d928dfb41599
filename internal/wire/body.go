package wire

import (
	"html"
	"strings"
)

// htmlTags are the elements a body keeps, by their XHTML or NITF name,
// as the HTML element they become; the paste cleaner then makes blocks of
// them. Anything else is unwrapped (its text kept), and what never holds
// reading text is dropped whole.
var htmlTags = map[string]string{
	"p": "p", "br": "br", "em": "em", "i": "em", "strong": "strong", "b": "strong", "a": "a",
	"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h3", "h5": "h3", "h6": "h3",
	"blockquote": "blockquote", "ul": "ul", "ol": "ol", "li": "li",
	// NITF's names.
	"hl1": "h2", "hl2": "h2", "bq": "blockquote", "credit": "cite",
}

// dropped never hold text a reader reads in a body.
var dropped = map[string]bool{
	"script": true, "style": true, "head": true, "title": true, "media": true, "table": true, "object": true,
	"iframe": true, "nitf-table": true, "body.head": true, "body.end": true, "head.docdata": true, "img": true, "figure": true,
}

// inlineHTML is the HTML of an inlineXML element's body: NITF's
// body.content, XHTML's body, else whatever it holds.
func inlineHTML(in *node) string {
	root := in
	for _, c := range in.children {
		switch c.name.Local {
		case "nitf":
			root = c.path("body", "body.content")
		case "html":
			root = c.child("body")
		}
	}
	if root == nil {
		return ""
	}
	var sb strings.Builder
	for _, c := range root.children {
		writeHTML(&sb, c)
	}
	return strings.TrimSpace(sb.String())
}

func writeHTML(sb *strings.Builder, n *node) {
	if n.name.Local == "" {
		sb.WriteString(html.EscapeString(n.text))
		return
	}
	if dropped[n.name.Local] {
		return
	}
	tag, keep := htmlTags[n.name.Local]
	if keep {
		sb.WriteString("<" + tag)
		if tag == "a" {
			if href := strings.TrimSpace(n.attr("href")); href != "" {
				sb.WriteString(` href="` + html.EscapeString(href) + `"`)
			}
		}
		sb.WriteString(">")
	}
	if tag == "br" {
		return
	}
	for _, c := range n.children {
		writeHTML(sb, c)
	}
	if keep {
		sb.WriteString("</" + tag + ">")
	}
}
