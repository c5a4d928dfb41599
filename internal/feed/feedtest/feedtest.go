// Package feedtest holds what feed tests share: attacks on feed readers,
// and the view a reader renders of a field it takes as HTML.
package feedtest

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Payloads are classic attacks on feed readers. Put into any text a feed
// carries, a reader must show each as the text it is.
var Payloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)>`,
	`<a href="javascript:alert(1)">اضغط هنا</a>`,
	`javascript:alert(document.cookie)`,
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
	`&#60;img src=x onerror=alert(1)&#62;`,
	`]]><script>alert(1)</script><![CDATA[`,
	`<![CDATA[<img src=x onerror=alert(1)>]]>`,
	`</description><script>alert(1)</script><description>`,
	`"><script>alert(1)</script>`,
	`'><img src=x onerror=alert(1)>`,
	`<iframe src="https://evil.example/"></iframe>`,
	`<body onload=alert(1)>`,
	`<style>*{display:none}</style>`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example/">`,
	`<object data="javascript:alert(1)"></object>`,
	`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
	`<!--<script>alert(1)</script>-->`,
	`<scr<script>ipt>alert(1)</script>`,
	"\u202Eexe.txt\u202C <b>عاجل</b>",
	"\u2067<script>\u2069 AT&T &amp; co",
}

// Rendered is what a reader builds from a field it takes as HTML.
type Rendered struct {
	Elements []string // tag names, in document order
	Attrs    []string // name=value of every attribute
	Comments int
	Text     string // what is shown
}

// Render parses s as an HTML fragment, as a feed reader does with an RSS
// description, an Atom text of type="html" or JSON Feed's content_html.
func Render(t testing.TB, s string) Rendered {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("parse %q as HTML: %v", s, err)
	}
	var r Rendered
	var text strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			r.Elements = append(r.Elements, n.Data)
			for _, a := range n.Attr {
				r.Attrs = append(r.Attrs, a.Key+"="+a.Val)
			}
		case html.CommentNode:
			r.Comments++
		case html.TextNode:
			text.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	r.Text = text.String()
	return r
}
