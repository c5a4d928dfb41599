// Package wxr reads WordPress eXtended RSS exports (WXR 1.0, 1.1 and 1.2)
// as a stream: one author, term or item at a time, in memory bounded by
// the largest item whatever the size of the file. It knows nothing of
// Khabar's store; the importer turns what it reads into articles.
//
// The reader is strict where WordPress exports are regular and forgiving
// where they vary: a document type declaration is refused (WordPress
// never writes one, and it is what entity expansion attacks, billion
// laughs and external entities, need), elements count only in the WXR
// namespaces whatever their prefix, and a file without a wxr_version is
// not taken for an export.
package wxr

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Namespaces of the parts of an export. WXR 1.0, 1.1 and 1.2 differ in
// the wp namespace's version only.
const (
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
)

// wxrNamespaces are the wp namespaces' versions, under either scheme:
// WordPress.com writes https.
var wxrPrefixes = []string{"http://wordpress.org/export/", "https://wordpress.org/export/"}

// DefaultMaxItem bounds one item (a post with its comments and meta), in
// bytes of the file: a bigger one is refused rather than held in memory.
const DefaultMaxItem = 64 << 20

// Site is what the channel says of the exported site before its content.
type Site struct {
	Title       string
	Link        string
	Language    string
	Version     string // "1.0", "1.1" or "1.2"
	BaseSiteURL string
	BaseBlogURL string
}

// Author is a wp:author: a WordPress user who wrote something. Exports
// carry no passwords.
type Author struct {
	ID          int64
	Login       string
	Email       string
	DisplayName string
	FirstName   string
	LastName    string
	Line        int
}

// Term is a category, a tag or another taxonomy's term.
type Term struct {
	ID          int64
	Taxonomy    string // "category", "post_tag", or another taxonomy
	Slug        string
	Parent      string // the parent's slug
	Name        string
	Description string
	Line        int
}

// ItemTerm is a term an item is filed under.
type ItemTerm struct {
	Domain   string // "category", "post_tag", "author" (Co-Authors Plus), …
	Nicename string
	Name     string
}

// Meta is one wp:postmeta or wp:commentmeta.
type Meta struct{ Key, Value string }

// Comment is a wp:comment.
type Comment struct {
	ID          int64
	Author      string
	AuthorEmail string
	AuthorURL   string
	AuthorIP    string
	Date        string // the site's time: "2006-01-02 15:04:05"
	DateGMT     string
	Content     string
	Approved    string // "1", "0", "spam", "trash"
	Type        string // "", "comment", "pingback", "trackback"
	Parent      int64
	UserID      int64
	Meta        []Meta
}

// Item is one post, page, attachment or other post type.
type Item struct {
	Line          int // where the item starts in the file
	Title         string
	Link          string
	PubDate       string
	Creator       string // dc:creator: the author's login
	GUID          string
	Description   string
	Content       string // content:encoded
	Excerpt       string // excerpt:encoded
	PostID        int64
	PostDate      string
	PostDateGMT   string
	CommentStatus string
	PostName      string // the slug, percent-encoded when not ASCII
	Status        string // publish, draft, pending, future, private, inherit, trash
	PostParent    int64
	MenuOrder     int64
	PostType      string
	Password      string
	Sticky        bool
	AttachmentURL string
	Terms         []ItemTerm
	Meta          []Meta
	Comments      []Comment
}

// MetaValue is the value of the item's first meta with the key.
func (it *Item) MetaValue(key string) string {
	for _, m := range it.Meta {
		if m.Key == key {
			return m.Value
		}
	}
	return ""
}

// MetaValues are the values of every meta with the key, in file order.
func (it *Item) MetaValues(key string) []string {
	var vs []string
	for _, m := range it.Meta {
		if m.Key == key {
			vs = append(vs, m.Value)
		}
	}
	return vs
}

// Error is a problem with the file, at a line of it.
type Error struct {
	Line int
	Msg  string
	Err  error // the decoder's or the reader's, when there is one
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errors a caller may look for with errors.Is.
var (
	// ErrNotWXR: the file is XML but not a WordPress export.
	ErrNotWXR = errors.New("not a WXR file")
	// ErrItemTooLarge: one item is bigger than the reader's limit.
	ErrItemTooLarge = errors.New("item too large")
	// ErrDTD: the file declares a document type.
	ErrDTD = errors.New("document type declaration")
)

// Reader reads an export one record at a time.
type Reader struct {
	d     *xml.Decoder
	g     *guard
	fix   *repairer
	site  Site
	depth int // 0 outside rss, 1 in rss, 2 in channel
	// lastStart is the element whose content is being read, for its
	// attributes and for messages.
	lastStart xml.StartElement
	done      bool // the rss element has ended
}

// NewReader reads an export from r; maxItem bounds one item in bytes
// (0: DefaultMaxItem).
func NewReader(r io.Reader, maxItem int64) *Reader {
	if maxItem <= 0 {
		maxItem = DefaultMaxItem
	}
	fix := newRepairer(r)
	g := &guard{r: fix, limit: maxItem}
	d := xml.NewDecoder(g)
	d.Strict = true
	// No entities beyond XML's five: an export that needs more is not one
	// WordPress wrote.
	d.Entity = nil
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("encoding %q: WordPress exports are UTF-8", charset)
	}
	return &Reader{d: d, g: g, fix: fix}
}

// Repaired gives the lines, up to the end of the record last returned and
// not given before, where invalid UTF-8 was read: each bad byte is read as
// U+FFFD rather than refusing the file.
func (r *Reader) Repaired() []int { return r.fix.take(r.line()) }

// Site is what the channel said before the record last returned.
func (r *Reader) Site() Site { return r.site }

// Next returns the next record: *Author, *Term or *Item; io.EOF at the end
// of the channel. Any other error is an *Error naming the line; the
// reader cannot go on after it.
func (r *Reader) Next() (any, error) {
	rec, err := r.next()
	if err == io.EOF && r.done {
		return nil, io.EOF
	}
	if err != nil {
		return nil, r.wrap(err)
	}
	return rec, nil
}

func (r *Reader) next() (any, error) {
	for {
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return nil, r.errorf(ErrDTD, "the file declares a document type (<!DOCTYPE …>); WordPress exports never do, and its entities could expand without end or read files on this machine: refused")
			}
		case xml.EndElement:
			if r.depth == 2 && t.Name.Local == "channel" || r.depth == 1 && t.Name.Local == "rss" {
				if r.depth == 2 && r.site.Version == "" {
					return nil, r.notWXR()
				}
				r.depth--
				if r.depth == 0 {
					r.done = true
					return nil, io.EOF
				}
			}
		case xml.StartElement:
			rec, err := r.start(t)
			if rec != nil || err != nil {
				return rec, err
			}
		}
	}
}

// start handles an element opening at the rss or channel level.
func (r *Reader) start(t xml.StartElement) (any, error) {
	switch r.depth {
	case 0:
		if t.Name.Local != "rss" {
			return nil, r.errorf(ErrNotWXR, "this does not appear to be a WXR file: it starts with <%s>, not <rss>", t.Name.Local)
		}
		r.depth = 1
		return nil, nil
	case 1:
		if t.Name.Local == "channel" {
			r.depth = 2
			return nil, nil
		}
		return nil, r.d.Skip()
	}
	line := r.line()
	switch {
	case t.Name.Space == "" && t.Name.Local == "item":
		if r.site.Version == "" {
			return nil, r.notWXR()
		}
		return r.item(line)
	case t.Name.Space == "":
		return nil, r.channelField(t.Name.Local)
	case !isWP(t.Name.Space):
		return nil, r.d.Skip()
	case r.wpRecord(t.Name.Local) && r.site.Version == "":
		return nil, r.notWXR()
	}
	switch t.Name.Local {
	case "wxr_version":
		v, err := r.text()
		if err != nil {
			return nil, err
		}
		v = strings.TrimSpace(v)
		if v != "1.0" && v != "1.1" && v != "1.2" {
			return nil, r.errorf(ErrNotWXR, "WXR version %q: this reader knows 1.0, 1.1 and 1.2", v)
		}
		r.site.Version = v
		return nil, nil
	case "base_site_url":
		v, err := r.text()
		r.site.BaseSiteURL = strings.TrimSpace(v)
		return nil, err
	case "base_blog_url":
		v, err := r.text()
		r.site.BaseBlogURL = strings.TrimSpace(v)
		return nil, err
	case "author":
		return r.author(line)
	case "category", "tag", "term":
		return r.term(t.Name.Local, line)
	}
	return nil, r.d.Skip()
}

func (r *Reader) wpRecord(local string) bool {
	switch local {
	case "author", "category", "tag", "term":
		return true
	}
	return false
}

func (r *Reader) channelField(local string) error {
	var dst *string
	switch local {
	case "title":
		dst = &r.site.Title
	case "link":
		dst = &r.site.Link
	case "language":
		dst = &r.site.Language
	default:
		return r.d.Skip()
	}
	v, err := r.text()
	*dst = strings.TrimSpace(v)
	return err
}

func (r *Reader) author(line int) (*Author, error) {
	a := &Author{Line: line}
	err := r.fields(func(local string, wp bool) error {
		if !wp {
			return r.d.Skip()
		}
		switch local {
		case "author_id":
			return r.int(&a.ID)
		case "author_login":
			return r.str(&a.Login)
		case "author_email":
			return r.str(&a.Email)
		case "author_display_name":
			return r.str(&a.DisplayName)
		case "author_first_name":
			return r.str(&a.FirstName)
		case "author_last_name":
			return r.str(&a.LastName)
		}
		return r.d.Skip()
	})
	return a, err
}

// term reads wp:category, wp:tag and wp:term, whose fields have
// different names for the same things.
func (r *Reader) term(kind string, line int) (*Term, error) {
	t := &Term{Line: line, Taxonomy: kind}
	if kind == "tag" {
		t.Taxonomy = "post_tag"
	}
	err := r.fields(func(local string, wp bool) error {
		if !wp {
			return r.d.Skip()
		}
		switch local {
		case "term_id":
			return r.int(&t.ID)
		case "term_taxonomy":
			return r.str(&t.Taxonomy)
		case "category_nicename", "tag_slug", "term_slug":
			return r.str(&t.Slug)
		case "category_parent", "term_parent":
			return r.str(&t.Parent)
		case "cat_name", "tag_name", "term_name":
			return r.str(&t.Name)
		case "category_description", "tag_description", "term_description":
			return r.str(&t.Description)
		}
		return r.d.Skip()
	})
	return t, err
}

func (r *Reader) item(line int) (*Item, error) {
	r.g.mark()
	defer r.g.unmark()
	it := &Item{Line: line}
	err := r.fieldsNS(func(name xml.Name) error {
		wp := isWP(name.Space)
		switch {
		case name.Space == "":
			switch name.Local {
			case "title":
				return r.str(&it.Title)
			case "link":
				return r.str(&it.Link)
			case "pubDate":
				return r.str(&it.PubDate)
			case "guid":
				return r.str(&it.GUID)
			case "description":
				return r.raw(&it.Description)
			case "category":
				return r.itemTerm(it)
			}
		case name.Space == nsDC && name.Local == "creator":
			return r.str(&it.Creator)
		case name.Space == nsContent && name.Local == "encoded":
			return r.raw(&it.Content)
		case isExcerpt(name.Space) && name.Local == "encoded":
			return r.raw(&it.Excerpt)
		case wp:
			return r.itemField(it, name.Local)
		}
		return r.d.Skip()
	})
	if errors.Is(err, ErrItemTooLarge) {
		return nil, &Error{Line: line, Err: err, Msg: fmt.Sprintf("an item is larger than %d MB (%q, post %d): refused; raise the limit if the post is meant to be that big", r.g.limit>>20, it.Title, it.PostID)}
	}
	return it, err
}

func (r *Reader) itemField(it *Item, local string) error {
	switch local {
	case "post_id":
		return r.int(&it.PostID)
	case "post_date":
		return r.str(&it.PostDate)
	case "post_date_gmt":
		return r.str(&it.PostDateGMT)
	case "comment_status":
		return r.str(&it.CommentStatus)
	case "post_name":
		return r.str(&it.PostName)
	case "status":
		return r.str(&it.Status)
	case "post_parent":
		return r.int(&it.PostParent)
	case "menu_order":
		return r.int(&it.MenuOrder)
	case "post_type":
		return r.str(&it.PostType)
	case "post_password":
		return r.str(&it.Password)
	case "is_sticky":
		var n int64
		err := r.int(&n)
		it.Sticky = n != 0
		return err
	case "attachment_url":
		return r.str(&it.AttachmentURL)
	case "postmeta":
		m, err := r.meta()
		it.Meta = append(it.Meta, m)
		return err
	case "comment":
		c, err := r.comment()
		it.Comments = append(it.Comments, c)
		return err
	}
	return r.d.Skip()
}

func (r *Reader) itemTerm(it *Item) error {
	// The start element was consumed by fieldsNS; its attributes are kept
	// in lastStart.
	t := ItemTerm{}
	for _, a := range r.lastStart.Attr {
		switch a.Name.Local {
		case "domain":
			t.Domain = a.Value
		case "nicename":
			t.Nicename = a.Value
		}
	}
	err := r.str(&t.Name)
	switch t.Domain {
	case "", "category":
		t.Domain = "category"
	case "tag": // WXR 1.0
		t.Domain = "post_tag"
	}
	// WXR 1.0 lists each term twice, the first time without a nicename.
	if n := len(it.Terms); n > 0 && it.Terms[n-1].Nicename == "" && it.Terms[n-1].Domain == t.Domain && it.Terms[n-1].Name == t.Name {
		it.Terms = it.Terms[:n-1]
	}
	it.Terms = append(it.Terms, t)
	return err
}

func (r *Reader) meta() (Meta, error) {
	var m Meta
	err := r.fields(func(local string, wp bool) error {
		switch {
		case wp && local == "meta_key":
			return r.str(&m.Key)
		case wp && local == "meta_value":
			return r.raw(&m.Value)
		}
		return r.d.Skip()
	})
	return m, err
}

func (r *Reader) comment() (Comment, error) {
	var c Comment
	err := r.fields(func(local string, wp bool) error {
		if !wp {
			return r.d.Skip()
		}
		switch local {
		case "comment_id":
			return r.int(&c.ID)
		case "comment_author":
			return r.str(&c.Author)
		case "comment_author_email":
			return r.str(&c.AuthorEmail)
		case "comment_author_url":
			return r.str(&c.AuthorURL)
		case "comment_author_IP":
			return r.str(&c.AuthorIP)
		case "comment_date":
			return r.str(&c.Date)
		case "comment_date_gmt":
			return r.str(&c.DateGMT)
		case "comment_content":
			return r.raw(&c.Content)
		case "comment_approved":
			return r.str(&c.Approved)
		case "comment_type":
			return r.str(&c.Type)
		case "comment_parent":
			return r.int(&c.Parent)
		case "comment_user_id":
			return r.int(&c.UserID)
		case "commentmeta":
			m, err := r.meta()
			c.Meta = append(c.Meta, m)
			return err
		}
		return r.d.Skip()
	})
	return c, err
}

// fields calls fn for each child element of the element just opened,
// with whether it is in a WXR namespace; fn must consume the element.
func (r *Reader) fields(fn func(local string, wp bool) error) error {
	return r.fieldsNS(func(n xml.Name) error { return fn(n.Local, isWP(n.Space)) })
}

func (r *Reader) fieldsNS(fn func(xml.Name) error) error {
	for {
		tok, err := r.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			r.lastStart = t
			if err := fn(t.Name); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// text reads the character data of the element just opened, up to its
// end; nested elements are an error.
func (r *Reader) text() (string, error) {
	var sb strings.Builder
	for {
		tok, err := r.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.EndElement:
			return sb.String(), nil
		case xml.StartElement:
			return "", r.errorf(nil, "<%s> inside <%s>, where only text belongs", t.Name.Local, r.lastStart.Name.Local)
		}
	}
}

// str reads a one-line field, trimmed.
func (r *Reader) str(dst *string) error {
	v, err := r.text()
	*dst = strings.TrimSpace(v)
	return err
}

// raw reads a field whose whitespace is content (posts, comments, meta).
func (r *Reader) raw(dst *string) error {
	v, err := r.text()
	*dst = v
	return err
}

func (r *Reader) int(dst *int64) error {
	v, err := r.text()
	if err != nil {
		return err
	}
	v = strings.TrimSpace(v)
	if v == "" {
		*dst = 0
		return nil
	}
	n, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil {
		return r.errorf(nil, "<%s> holds %q, not a number", r.lastStart.Name.Local, clip(v))
	}
	*dst = n
	return nil
}

// token is the decoder's next token.
func (r *Reader) token() (xml.Token, error) { return r.d.Token() }

// wrap gives every error an *Error with the line it happened on.
func (r *Reader) wrap(err error) error {
	var e *Error
	var se *xml.SyntaxError
	switch {
	case errors.As(err, &e):
		return err
	case errors.As(err, &se):
		return &Error{Line: se.Line, Err: err, Msg: "there was an error when reading this WXR file: " + se.Msg}
	case errors.Is(err, io.EOF):
		if r.depth > 0 {
			return r.errorf(io.ErrUnexpectedEOF, "the file ends inside <%s>: it was cut short", map[int]string{1: "rss", 2: "channel"}[r.depth])
		}
		return r.errorf(ErrNotWXR, "this does not appear to be a WXR file: no <rss> element")
	}
	return &Error{Line: r.line(), Err: err, Msg: "read: " + err.Error()}
}

func (r *Reader) line() int {
	l, _ := r.d.InputPos()
	return l
}

func (r *Reader) errorf(err error, format string, args ...any) error {
	return &Error{Line: r.line(), Err: err, Msg: fmt.Sprintf(format, args...)}
}

func (r *Reader) notWXR() error {
	return r.errorf(ErrNotWXR, "this does not appear to be a WXR file: missing or invalid WXR version number (<wp:wxr_version> must come before the content)")
}

// isWP reports whether a namespace is WXR's own, of any version.
func isWP(space string) bool { return wxrVersion(space, "/") }

func isExcerpt(space string) bool { return wxrVersion(space, "/excerpt/") }

func wxrVersion(space, suffix string) bool {
	for _, p := range wxrPrefixes {
		if v, ok := strings.CutPrefix(space, p); ok {
			v, ok = strings.CutSuffix(v, suffix)
			return ok && (v == "1.0" || v == "1.1" || v == "1.2")
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// guard counts the bytes read, and refuses to read more than limit bytes
// while an item is open, so one huge post cannot fill the memory.
type guard struct {
	r      io.Reader
	n      int64
	start  int64 // where the open item started; -1 when none is open
	limit  int64
	marked bool
}

func (g *guard) mark()   { g.start, g.marked = g.n, true }
func (g *guard) unmark() { g.marked = false }

func (g *guard) Read(p []byte) (int, error) {
	if g.marked && g.n-g.start > g.limit {
		return 0, ErrItemTooLarge
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}
