package wire

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// nsNAR is NewsML-G2's namespace (the News Architecture's).
const nsNAR = "http://iptc.org/std/nar/2006-10-01/"

// node is an XML element kept whole: its name, attributes, and content
// in order (text as nodes without a name).
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	text     string // for a text node
	children []*node
}

// attr is the attribute's value, "" when absent (or n is).
func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// lang is xml:lang on n.
func (n *node) lang() string {
	for _, a := range n.attrs {
		if a.Name.Local == "lang" && (a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace") {
			return a.Value
		}
	}
	return ""
}

// child is n's first child element named local, nil when none.
func (n *node) child(local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name.Local == local {
			return c
		}
	}
	return nil
}

// all are n's child elements named local.
func (n *node) all(local string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.children {
		if c.name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// path follows child elements by name.
func (n *node) path(locals ...string) *node {
	for _, l := range locals {
		n = n.child(l)
	}
	return n
}

// textOf is all the text inside n.
func (n *node) textOf() string {
	if n == nil {
		return ""
	}
	if n.name.Local == "" {
		return n.text
	}
	var sb strings.Builder
	for _, c := range n.children {
		sb.WriteString(c.textOf())
	}
	return sb.String()
}

// readXML reads data into a tree, refusing what a news item never needs
// and an attacker does: a DOCTYPE (entities), an encoding other than
// UTF-8, absurd depth or size.
func readXML(data []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		root     *node
		stack    []*node
		elements int
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if strings.Contains(err.Error(), "CharsetReader") {
				return nil, refuse(ReasonEncoding, "the XML declares an encoding other than UTF-8")
			}
			return nil, refuse(ReasonMalformed, "not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return nil, refuse(ReasonDoctype, "a DOCTYPE (entity declarations are not accepted)")
			}
			return nil, refuse(ReasonMalformed, "an XML directive <!%s>", truncate(string(t), 40))
		case xml.StartElement:
			elements++
			if elements > maxElements {
				return nil, refuse(ReasonTooDeep, "more than %d elements", maxElements)
			}
			if len(stack) >= maxDepth {
				return nil, refuse(ReasonTooDeep, "elements nested more than %d deep", maxDepth)
			}
			n := &node{name: t.Name, attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, refuse(ReasonMalformed, "more than one root element")
				}
				root = n
			} else {
				top := stack[len(stack)-1]
				top.children = append(top.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.children = append(top.children, &node{text: string(t)})
			}
		}
	}
	if root == nil {
		return nil, refuse(ReasonMalformed, "no root element")
	}
	return root, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// parseNewsML reads a newsItem, or a newsMessage's news items.
func parseNewsML(data []byte) ([]Item, error) {
	root, err := readXML(data)
	if err != nil {
		return nil, err
	}
	if root.name.Space != nsNAR {
		return nil, refuse(ReasonUnknown, "root element {%s}%s is not NewsML-G2", root.name.Space, root.name.Local)
	}
	var items []*node
	switch root.name.Local {
	case "newsItem":
		items = []*node{root}
	case "newsMessage":
		for _, set := range root.all("itemSet") {
			items = append(items, set.all("newsItem")...)
		}
	default:
		return nil, refuse(ReasonNoItem, "a NewsML-G2 %s carries no news item the desk takes", root.name.Local)
	}
	if len(items) == 0 {
		return nil, refuse(ReasonNoItem, "the message carries no news item")
	}
	if len(items) > maxItems {
		return nil, refuse(ReasonTooLarge, "%d news items in one message, more than %d", len(items), maxItems)
	}
	out := make([]Item, 0, len(items))
	for _, n := range items {
		it, err := newsItem(n)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// newsItem reads one newsItem element.
func newsItem(n *node) (Item, error) {
	meta, content := n.child("itemMeta"), n.child("contentMeta")
	it := Item{Format: FormatNewsML, GUID: n.attr("guid"), Language: n.lang()}
	if class := meta.child("itemClass").attr("qcode"); class != "" && !strings.HasSuffix(class, ":text") && !strings.HasSuffix(class, ":composite") {
		return Item{}, refuse(ReasonNotText, "item %s is of class %s; the desk takes text", it.GUID, class)
	}
	if v := n.attr("version"); v != "" {
		var err error
		if it.Version, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil || it.Version < 0 {
			return Item{}, refuse(ReasonMalformed, "item %s: version %q is not a whole number", it.GUID, v)
		}
	}
	it.Provider = nameOrCode(meta.child("provider"))
	if h := n.path("rightsInfo", "copyrightHolder"); h != nil {
		it.Copyright = nameOrCode(h)
	}
	if it.Provider == "" {
		it.Provider = it.Copyright
	}
	it.Status = statusOf(meta.child("pubStatus").attr("qcode"))
	if it.Status == "" {
		it.Status = statusOf(meta.child("pubStatus").attr("uri"))
	}
	it.EdNote = meta.child("edNote").textOf()
	for _, s := range meta.all("signal") {
		if q := strings.TrimSpace(s.attr("qcode")); q != "" {
			it.Signals = append(it.Signals, q)
		}
	}
	for _, l := range meta.all("link") {
		if rel := l.attr("rel"); strings.HasSuffix(rel, "previousVersion") {
			it.PreviousVersion = firstOf(l.attr("residref"), l.attr("href"))
		}
	}
	var err error
	if it.VersionCreated, err = parseTime("versionCreated", meta.child("versionCreated").textOf()); err != nil {
		return Item{}, err
	}
	if it.FirstCreated, err = parseTime("firstCreated", meta.child("firstCreated").textOf()); err != nil {
		return Item{}, err
	}
	if it.Embargoed, err = parseTime("embargoed", meta.child("embargoed").textOf()); err != nil {
		return Item{}, err
	}
	if u := strings.TrimSpace(content.child("urgency").textOf()); u != "" {
		if it.Urgency, err = strconv.Atoi(u); err != nil || it.Urgency < 0 || it.Urgency > 9 {
			return Item{}, refuse(ReasonMalformed, "item %s: urgency %q is not 0 to 9", it.GUID, u)
		}
	}
	if l := content.child("language").attr("tag"); l != "" {
		it.Language = l
	}
	it.Headline = mainText(content.all("headline"))
	it.Slugline = content.child("slugline").textOf()
	it.Dateline = content.child("dateline").textOf()
	it.Located = content.child("located").child("name").textOf()
	it.Creditline = content.child("creditline").textOf()
	it.Byline = content.child("by").textOf()
	if it.Byline == "" {
		var names []string
		for _, c := range content.all("creator") {
			if name := oneLine(c.child("name").textOf()); name != "" {
				names = append(names, name)
			}
		}
		it.Byline = strings.Join(names, "، ")
	}
	if d := content.all("description"); len(d) > 0 {
		it.Lead = mainText(d)
	}
	for _, s := range content.all("subject") {
		sub := Subject{Code: strings.TrimSpace(firstOf(s.attr("qcode"), s.attr("uri"))), Name: oneLine(s.child("name").textOf())}
		if sub.Name == "" {
			sub.Name = sub.Code
		}
		if sub.Name != "" {
			it.Subjects = append(it.Subjects, sub)
		}
	}
	if err := newsBody(n.child("contentSet"), &it); err != nil {
		return Item{}, err
	}
	return it, nil
}

// nameOrCode is a party's name, else its code (the part of a qcode after
// the scheme, or its URI).
func nameOrCode(n *node) string {
	if n == nil {
		return ""
	}
	if name := oneLine(n.child("name").textOf()); name != "" {
		return name
	}
	if q := n.attr("qcode"); q != "" {
		_, code, _ := strings.Cut(q, ":")
		return code
	}
	return n.attr("uri")
}

// mainText is the text of the element without a role (or with the main
// one), else the first.
func mainText(ns []*node) string {
	for _, n := range ns {
		if r := n.attr("role"); r == "" || strings.HasSuffix(r, ":main") {
			return n.textOf()
		}
	}
	if len(ns) > 0 {
		return ns[0].textOf()
	}
	return ""
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// newsBody reads the contentSet's first text: inline XML (NITF or XHTML)
// becomes HTML, inline data plain text.
func newsBody(set *node, it *Item) error {
	if set == nil {
		return nil
	}
	for _, c := range set.children {
		switch c.name.Local {
		case "inlineXML":
			it.BodyHTML = inlineHTML(c)
			return nil
		case "inlineData":
			ct := c.attr("contenttype")
			if ct != "" && !strings.HasPrefix(ct, "text/plain") {
				continue
			}
			if c.attr("encoding") != "" {
				return refuse(ReasonMalformed, "item %s: encoded inline data (%s) is not text", it.GUID, c.attr("encoding"))
			}
			it.BodyText = c.textOf()
			return nil
		}
	}
	return nil
}
