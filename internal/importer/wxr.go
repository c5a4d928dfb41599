package importer

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/wxr"
)

// WXROptions say how to import a WordPress export.
type WXROptions struct {
	// Status is what WordPress's published posts become: published (the
	// default) or draft.
	Status news.Status
	// Workers import that many items at once (0: one).
	Workers int
	// DryRun reads and converts everything and reports what would change,
	// writing nothing.
	DryRun bool
	// MaxItem bounds one item in bytes (0: wxr.DefaultMaxItem).
	MaxItem int64
	// MediaDir is a copy of the site's wp-content/uploads; with Library,
	// the export's attachments become library items.
	MediaDir string
	Library  *media.Library
	// MediaOrigins are the old site's origins ("https://old.example",
	// lower case, no slash) whose attachments are fetched with Client
	// when there is no MediaDir; attachments elsewhere are skipped.
	MediaOrigins []string
	Client       *http.Client
	// Progress is called every 100 items, with the number of items the
	// export holds.
	Progress func(st Stats, total int)
}

// importActor signs what an import writes in the audit log.
var importActor = news.Actor{Name: "import"}

// WXR imports a WordPress export from the file at path: authors, sections
// from categories, tags, posts as articles with their comments, pages as
// the outlet's pages, and a redirect from every old address to the new
// one. The file is read twice, as a stream: first to check all of it, so
// a broken export imports nothing, then to import. Everything imported
// remembers its WordPress id, so importing the export again updates what
// changed and adds what is new.
func WXR(ctx context.Context, s *store.Store, path string, opt WXROptions) (Stats, error) {
	st := newStats()
	if opt.Status == "" {
		opt.Status = news.StatusPublished
	}
	plan, err := survey(ctx, path, opt.MaxItem)
	if err != nil {
		return st, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	im := &wxrImporter{
		importer: importer{store: s, sections: map[string]int64{}, authors: map[string]int64{}},
		opt:      opt, st: &st, plan: plan,
		logins: map[string]int64{}, cats: map[string]int64{}, catParent: map[string]string{},
	}
	if err := im.loadSections(ctx); err != nil {
		return st, err
	}
	f, err := os.Open(path)
	if err != nil {
		return st, err
	}
	defer f.Close()
	rd := wxr.NewReader(f, opt.MaxItem)
	if err := im.run(ctx, rd); err != nil {
		return im.snapshot(), err
	}
	// Attachment pages lead to the posts they belong to, which may come
	// after them in the file.
	for _, at := range plan.attachments {
		if err := im.attachmentPage(ctx, at); err != nil {
			return st, err
		}
	}
	if err := im.siteRedirects(ctx); err != nil {
		return st, err
	}
	if opt.Progress != nil {
		opt.Progress(st, plan.items)
	}
	return st, nil
}

// run reads the export's records: authors and terms in turn, items by
// opt.Workers at once (PostgreSQL answers several connections at once;
// an item's time is mostly waiting for it). Items are handed over through
// a short queue, so memory stays bounded whatever the export's size.
func (im *wxrImporter) run(ctx context.Context, rd *wxr.Reader) error {
	workers := max(im.opt.Workers, 1)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	items := make(chan *wxr.Item, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for it := range items {
				if err := im.item(ctx, it); err != nil {
					cancel(err)
				}
			}
		})
	}
	err := im.read(ctx, rd, items)
	close(items)
	wg.Wait()
	if cause := context.Cause(ctx); err == nil && cause != nil && cause != context.Canceled {
		err = cause
	}
	return err
}

func (im *wxrImporter) read(ctx context.Context, rd *wxr.Reader, items chan<- *wxr.Item) error {
	started := false
	for {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		rec, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !started {
			started = true
			im.source, im.siteTitle = siteKey(rd.Site()), news.CleanLine(rd.Site().Title)
			if err := im.media(ctx); err != nil {
				return err
			}
		}
		im.repaired(rec, rd.Repaired())
		switch v := rec.(type) {
		case *wxr.Author:
			im.create.Lock()
			err = im.author(ctx, v)
			im.create.Unlock()
		case *wxr.Term:
			im.create.Lock()
			err = im.term(ctx, v)
			im.create.Unlock()
		case *wxr.Item:
			im.mu.Lock()
			im.st.Read++
			read := im.st.Read
			im.mu.Unlock()
			select {
			case items <- v:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			if im.opt.Progress != nil && read%100 == 0 {
				im.opt.Progress(im.snapshot(), im.plan.items)
			}
		}
		if err != nil {
			return err
		}
	}
}

// repaired warns of the invalid UTF-8 read as U+FFFD on lines of rec,
// naming the record so an editor can find it in WordPress.
func (im *wxrImporter) repaired(rec any, lines []int) {
	if len(lines) == 0 {
		return
	}
	var what string
	switch v := rec.(type) {
	case *wxr.Author:
		what = "author " + strconv.Quote(v.Login)
	case *wxr.Term:
		what = "term " + strconv.Quote(v.Slug)
	case *wxr.Item:
		what = fmt.Sprintf("%s %d %q", cmp.Or(v.PostType, "item"), v.PostID, v.Title)
	}
	at := make([]string, len(lines))
	for i, l := range lines {
		at[i] = strconv.Itoa(l)
	}
	im.warn(fmt.Sprintf("invalid UTF-8 replaced by U+FFFD in %s (line %s)", what, strings.Join(at, ", ")))
}

// snapshot is the counts so far, for progress.
func (im *wxrImporter) snapshot() Stats {
	im.mu.Lock()
	defer im.mu.Unlock()
	return Stats{Read: im.st.Read, Imported: im.st.Imported, Updated: im.st.Updated, Unchanged: im.st.Unchanged}
}

// The stats, shared by the workers.
func (im *wxrImporter) skip(reason string) { im.skipN(reason, 1) }

func (im *wxrImporter) skipN(reason string, n int) {
	im.mu.Lock()
	im.st.Skipped[reason] += n
	im.mu.Unlock()
}

func (im *wxrImporter) warn(what string) {
	im.mu.Lock()
	im.st.Warnings[what]++
	im.mu.Unlock()
}

func (im *wxrImporter) made(what string) {
	im.mu.Lock()
	im.st.Made[what]++
	im.mu.Unlock()
}

// done counts an item imported (or, when it was before, updated).
func (im *wxrImporter) done(before bool) {
	im.mu.Lock()
	if before {
		im.st.Updated++
	} else {
		im.st.Imported++
	}
	im.mu.Unlock()
}

func (im *wxrImporter) unchanged() {
	im.mu.Lock()
	im.st.Unchanged++
	im.mu.Unlock()
}

// plan is what the first reading found: how many items there are, and
// the attachments, which posts use wherever they come in the file.
type plan struct {
	items       int
	attachments []*wxr.Item
}

func survey(ctx context.Context, path string, maxItem int64) (*plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd := wxr.NewReader(f, maxItem)
	p := &plan{}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := rd.Next()
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		if it, ok := rec.(*wxr.Item); ok {
			p.items++
			if it.PostType == "attachment" {
				// Only what the library needs: the content of an
				// attachment is its description.
				p.attachments = append(p.attachments, &wxr.Item{PostID: it.PostID, Title: it.Title, Link: it.Link, GUID: it.GUID,
					AttachmentURL: it.AttachmentURL, PostParent: it.PostParent, Excerpt: it.Excerpt, Status: it.Status,
					Meta: keepMeta(it.Meta, "_wp_attachment_image_alt", "_wp_attached_file")})
			}
		}
	}
}

func keepMeta(ms []wxr.Meta, keys ...string) []wxr.Meta {
	var out []wxr.Meta
	for _, m := range ms {
		for _, k := range keys {
			if m.Key == k {
				out = append(out, m)
			}
		}
	}
	return out
}

type wxrImporter struct {
	importer
	opt WXROptions
	// mu guards st; create guards the maps of authors, sections and
	// categories, and their making, so two workers never make one twice.
	mu     sync.Mutex
	create sync.Mutex
	st     *Stats
	plan   *plan
	source string
	// What the export's authors and categories became (a site has few).
	logins    map[string]int64  // login -> author id
	cats      map[string]int64  // category nicename -> section id
	catParent map[string]string // nicename -> parent nicename
	siteTitle string
	// media: attachment post id, and file under uploads (lower case), ->
	// library item, when imported.
	library map[int64]news.Media
	bySrc   map[string]news.Media
}

// image finds the library item of a picture in the content.
func (im *wxrImporter) image(img wxr.Image) (news.Block, bool) {
	m, ok := im.library[img.ID]
	if !ok {
		if m, ok = im.imageBySrc(img.Src); !ok {
			return news.Block{}, false
		}
	}
	return news.Block{Type: news.BlockImage, MediaID: m.ID, Alt: m.Alt, Caption: m.Caption, Credit: m.Credit}, true
}

// siteKey names the exported site in import keys: its address without
// scheme or trailing slash, so http and https exports of one site agree.
func siteKey(site wxr.Site) string {
	s := site.BaseBlogURL
	if s == "" {
		s = site.Link
	}
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/")
	}
	return strings.TrimRight(s, "/")
}

func (im *wxrImporter) key(ctx context.Context, kind, key string) (*store.ImportKey, error) {
	k, err := im.store.ImportKeyOf(ctx, im.source, kind, key)
	if errors.Is(err, news.ErrNotFound) {
		return nil, nil
	}
	return k, err
}

func (im *wxrImporter) saveKey(ctx context.Context, kind, key, guid string, target int64, hash string) error {
	if im.opt.DryRun {
		return nil
	}
	return im.store.SaveImportKey(ctx, store.ImportKey{Source: im.source, Kind: kind, Key: key, GUID: guid, Target: target, Hash: hash})
}

func (im *wxrImporter) redirect(ctx context.Context, from, to string) error {
	return im.redirects(ctx, to, from)
}

// redirects sends the old addresses froms to to: one transaction for all
// of them, each address once, none to itself.
func (im *wxrImporter) redirects(ctx context.Context, to string, froms ...string) error {
	if im.opt.DryRun {
		return nil
	}
	return im.putRedirects(ctx, nil, to, froms)
}

// putRedirects is redirects, saving k (when not nil) in the same
// transaction.
func (im *wxrImporter) putRedirects(ctx context.Context, k *store.ImportKey, to string, froms []string) error {
	self := news.RedirectKey(to, "")
	keys := make([]string, 0, len(froms))
	for _, from := range froms {
		u, err := url.Parse(from)
		if from == "" {
			continue
		}
		if err != nil {
			im.warn("unreadable old address left without a redirect")
			continue
		}
		if rk := news.RedirectKey(u.Path, u.RawQuery); rk != "" && rk != self && !slices.Contains(keys, rk) {
			keys = append(keys, rk)
		}
	}
	if to == "" {
		keys = nil
	}
	if len(keys) == 0 && k == nil {
		return nil
	}
	changed, invalid, err := im.store.PutImportRedirects(ctx, k, keys, to)
	if invalid > 0 {
		im.warn("old address not usable as a redirect")
	}
	im.mu.Lock()
	im.st.Made["redirects"] += changed
	im.mu.Unlock()
	return err
}

// author makes a byline of a wp:author; exports carry no passwords, and
// no newsroom account is made.
func (im *wxrImporter) author(ctx context.Context, a *wxr.Author) error {
	login := strings.TrimSpace(a.Login)
	if login == "" {
		im.skip("author without a login")
		return nil
	}
	if k, err := im.key(ctx, "author", login); err != nil {
		return err
	} else if k != nil {
		im.logins[login] = k.Target
		return nil
	}
	name := news.CleanLine(a.DisplayName)
	if name == "" {
		name = news.CleanLine(strings.TrimSpace(a.FirstName + " " + a.LastName))
	}
	if name == "" {
		name = login
	}
	id, err := im.byline(ctx, name, login, a.Email)
	if err != nil || id == 0 {
		return err
	}
	im.logins[login] = id
	im.made("authors")
	return im.saveKey(ctx, "author", login, "", id, "")
}

// byline finds or creates the author profile for a WordPress user.
func (im *wxrImporter) byline(ctx context.Context, name, login, email string) (int64, error) {
	if im.opt.DryRun {
		return -1, nil
	}
	slug := news.Slugify(login)
	if au, err := im.store.AuthorBySlug(ctx, slug); err == nil {
		im.redirect(ctx, "/author/"+login, news.ListPath(news.ListAuthor, au.Slug))
		return au.ID, nil
	} else if !errors.Is(err, news.ErrNotFound) {
		return 0, err
	}
	au := news.Author{Name: name, Slug: slug, Email: strings.TrimSpace(email)}
	if !validEmail(au.Email) {
		au.Email = ""
	}
	err := im.store.CreateAuthor(ctx, &au)
	if news.IsInvalid(err) {
		im.skip("author with an unusable name")
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return au.ID, im.redirect(ctx, "/author/"+login, news.ListPath(news.ListAuthor, au.Slug))
}

// creator is the author id of a login named by an item, creating a byline
// when the export did not list the author (WXR 1.0). The caller holds
// im.create.
func (im *wxrImporter) creator(ctx context.Context, login string) (int64, error) {
	login = strings.TrimSpace(login)
	if login == "" {
		return 0, nil
	}
	if id, ok := im.logins[login]; ok {
		return id, nil
	}
	if err := im.author(ctx, &wxr.Author{Login: login}); err != nil {
		return 0, err
	}
	return im.logins[login], nil
}

// term brings categories in as sections (nested one level, deeper ones
// under their top-level ancestor) and tags' old addresses; other
// taxonomies (menus, formats) have no place in Khabar.
func (im *wxrImporter) term(ctx context.Context, t *wxr.Term) error {
	nicename := decodeSlug(t.Slug)
	switch t.Taxonomy {
	case "category":
	case "post_tag":
		if slug := news.Slugify(t.Name); slug != "" && nicename != "" {
			return im.tagRedirects(ctx, t.Slug, slug)
		}
		return nil
	default:
		im.skip("term of taxonomy " + strconv.Quote(t.Taxonomy))
		return nil
	}
	if nicename == "" {
		im.skip("category without a slug")
		return nil
	}
	im.catParent[nicename] = decodeSlug(t.Parent)
	if k, err := im.key(ctx, "category", nicename); err != nil {
		return err
	} else if k != nil {
		im.cats[nicename] = k.Target
		return im.categoryRedirects(ctx, t.Slug, k.Target)
	}
	sec := news.Section{Slug: news.Slugify(nicename), Name: news.CleanName(t.Name), Description: news.StripTags(t.Description),
		Position: len(im.sections) + 100}
	if utf8.RuneCountInString(sec.Description) > news.MaxSectionDescription {
		sec.Description = string([]rune(sec.Description)[:news.MaxSectionDescription])
	}
	if utf8.RuneCountInString(sec.Name) > news.MaxSectionName {
		sec.Name = string([]rune(sec.Name)[:news.MaxSectionName])
	}
	if up := im.ancestors(nicename); len(up) > 0 {
		if len(up) > 1 {
			im.warn("category nested more than one level: put under its top-level category")
		}
		sec.ParentID = im.cats[up[len(up)-1]]
	}
	if id, ok := im.sections[sec.Slug]; ok {
		im.cats[nicename] = id
		return im.saveKey(ctx, "category", nicename, "", id, "")
	}
	if im.opt.DryRun {
		im.cats[nicename] = -1
		im.made("sections")
		return nil
	}
	err := im.store.CreateSection(ctx, &sec)
	if news.IsInvalid(err) {
		im.skip("category with an unusable name or slug")
		return nil
	}
	if err != nil {
		return err
	}
	im.sections[sec.Slug] = sec.ID
	im.cats[nicename] = sec.ID
	im.made("sections")
	if err := im.saveKey(ctx, "category", nicename, "", sec.ID, ""); err != nil {
		return err
	}
	return im.categoryRedirects(ctx, t.Slug, sec.ID)
}

// categoryRedirects: /category/{slug}/, the path WordPress gave it under
// all its ancestors (/category/a/b/c/, however deep: Khabar keeps one
// level), the form under its parent alone, and their feeds.
func (im *wxrImporter) categoryRedirects(ctx context.Context, nicename string, id int64) error {
	var slug string
	for s, sid := range im.sections {
		if sid == id {
			slug = s
		}
	}
	if slug == "" {
		return nil
	}
	paths := []string{"/category/" + nicename}
	if up := im.ancestors(decodeSlug(nicename)); len(up) > 0 {
		paths = append(paths, "/category/"+url.PathEscape(up[0])+"/"+nicename)
		if len(up) > 1 {
			chain := []string{nicename}
			for _, a := range up {
				chain = append(chain, url.PathEscape(a))
			}
			slices.Reverse(chain)
			paths = append(paths, "/category/"+strings.Join(chain, "/"))
		}
	}
	for _, p := range paths {
		if err := im.redirect(ctx, p, news.ListPath(news.ListSection, slug)); err != nil {
			return err
		}
		if err := im.redirect(ctx, p+"/feed", news.FeedPath(news.ListSection, slug, "rss.xml")); err != nil {
			return err
		}
	}
	return im.redirect(ctx, "/"+nicename+"/feed", news.FeedPath(news.ListSection, slug, "rss.xml"))
}

// ancestors are a category's parents, nearest first (decoded nicenames);
// a loop of parents in a hostile export ends them, and a hundred
// levels, which no site has, are enough.
func (im *wxrImporter) ancestors(nicename string) []string {
	var up []string
	for p := im.catParent[nicename]; p != "" && p != nicename && !slices.Contains(up, p) && len(up) < 100; p = im.catParent[p] {
		up = append(up, p)
	}
	return up
}

func (im *wxrImporter) tagRedirects(ctx context.Context, nicename, slug string) error {
	if err := im.redirect(ctx, "/tag/"+nicename, news.ListPath(news.ListTag, slug)); err != nil {
		return err
	}
	return im.redirect(ctx, "/tag/"+nicename+"/feed", news.FeedPath(news.ListTag, slug, "rss.xml"))
}

// siteRedirects: the site's feeds.
func (im *wxrImporter) siteRedirects(ctx context.Context) error {
	for from, to := range map[string]string{"/feed": "rss.xml", "/feed/rss2": "rss.xml", "/feed/rss": "rss.xml", "/feed/atom": "atom.xml", "/?feed=rss2": "rss.xml", "/?feed=atom": "atom.xml"} {
		if err := im.redirect(ctx, from, news.FeedPath("", "", to)); err != nil {
			return err
		}
	}
	return nil
}

// item imports one post, page or attachment.
func (im *wxrImporter) item(ctx context.Context, it *wxr.Item) error {
	switch it.PostType {
	case "post":
		return im.post(ctx, it)
	case "page":
		return im.page(ctx, it)
	case "attachment":
		return nil // after the posts, from the survey
	case "":
		im.skip("item without a post type")
	default:
		im.skip("post type " + strconv.Quote(it.PostType))
	}
	return nil
}

// status maps WordPress's post status to Khabar's; "" skips the post.
func (im *wxrImporter) status(it *wxr.Item) (news.Status, string) {
	switch it.Status {
	case "publish":
		return im.opt.Status, ""
	case "draft":
		return news.StatusDraft, ""
	case "pending":
		return news.StatusReview, ""
	case "future":
		return news.StatusDraft, "scheduled post imported as a draft"
	case "private":
		return news.StatusDraft, "private post imported as a draft; its address stays 404"
	}
	return "", "post status " + strconv.Quote(it.Status)
}

func (im *wxrImporter) post(ctx context.Context, it *wxr.Item) error {
	status, note := im.status(it)
	if status == "" {
		im.skip(note)
		return nil
	}
	if it.PostID <= 0 {
		im.skip("post without an id")
		return nil
	}
	idKey := strconv.FormatInt(it.PostID, 10)
	hash := itemHash(it, string(status))
	k, err := im.key(ctx, "post", idKey)
	if err != nil {
		return err
	}
	if k != nil && k.Hash == hash {
		im.unchanged()
		return nil
	}
	if note != "" {
		im.warn(note)
	}
	a := &news.Article{}
	if k != nil && !im.opt.DryRun {
		old, err := im.store.GetArticle(ctx, k.Target)
		switch {
		case err == nil:
			a = old
		case !errors.Is(err, news.ErrNotFound):
			return err
		}
	}
	if reason, err := im.fill(ctx, a, it, status); err != nil || reason != "" {
		if reason != "" {
			im.skip(reason)
		}
		return err
	}
	if im.opt.DryRun {
		im.done(k != nil)
		return nil
	}
	if a.ID != 0 {
		err = im.store.UpdateArticle(ctx, a)
	} else {
		a.ExternalID = "wxr:" + im.source + ":" + idKey
		err = im.store.CreateArticle(ctx, a)
		if errors.Is(err, news.ErrDuplicate) {
			// The slug is taken: WordPress's are unique per date only.
			a.Slug = a.Slug + "-" + idKey
			err = im.store.CreateArticle(ctx, a)
		}
	}
	var froms []string
	if it.Status != "private" { // its address stays 404
		froms = postAddresses(it)
	}
	if saved, err := im.saved(ctx, err, "post", it, k != nil, a.ID, hash, news.ArticlePath(a), froms); !saved || err != nil {
		return err
	}
	return im.comments(ctx, a, it)
}

// fill sets a's fields from the item; a non-empty reason skips it.
func (im *wxrImporter) fill(ctx context.Context, a *news.Article, it *wxr.Item, status news.Status) (string, error) {
	conv := wxr.Content(it.Content, im.image)
	for _, w := range conv.Warnings {
		im.warn(w)
	}
	a.Headline = clipRunes(news.CleanLine(it.Title), news.MaxHeadline)
	if a.Headline == "" {
		if len(conv.Blocks) == 0 {
			return "post without a title or content", nil
		}
		a.Headline = clipRunes(news.StripTags(conv.Blocks[0].PlainText()), 80)
		im.warn("post without a title: its first words used")
	}
	a.Lead = clipRunes(news.StripTags(it.Excerpt), news.MaxLead)
	a.Body = conv.Blocks
	a.Slug = news.Slugify(decodeSlug(it.PostName))
	a.Status = status
	if t, ok := wpDate(it.PostDateGMT); ok {
		a.PublishedAt, a.UpdatedAt = t, t
	} else if t, ok := wpDate(it.PostDate); ok {
		a.PublishedAt, a.UpdatedAt = t, t
	}
	if it.Password != "" {
		im.warn("password-protected post imported without its password")
	}
	a.Pinned = it.Sticky
	if it.CommentStatus == "closed" {
		a.CommentsMode = news.CommentsClosed
	}
	var cat, catName string
	a.Tags = a.Tags[:0]
	var authorLogins []string
	for _, t := range it.Terms {
		switch t.Domain {
		case "category":
			if cat == "" {
				cat, catName = decodeSlug(t.Nicename), t.Name
			}
		case "post_tag":
			if len(a.Tags) < news.MaxTags {
				a.Tags = append(a.Tags, news.Tag{Name: t.Name})
			}
		case "author": // Co-Authors Plus: nicename "cap-{login}"
			authorLogins = append(authorLogins, strings.TrimPrefix(t.Nicename, "cap-"))
		}
	}
	if len(authorLogins) == 0 {
		authorLogins = []string{it.Creator}
	}
	im.create.Lock()
	defer im.create.Unlock()
	if id, ok := im.cats[cat]; ok {
		a.SectionID = id
	} else {
		id, err := im.sectionFor(ctx, cat, catName)
		if err != nil || id == 0 {
			return "post in an unusable category", err
		}
		a.SectionID = id
	}
	a.Authors = a.Authors[:0]
	for _, login := range authorLogins {
		id, err := im.creator(ctx, login)
		if err != nil {
			return "", err
		}
		if id > 0 && len(a.Authors) < news.MaxAuthors {
			a.Authors = append(a.Authors, news.Author{ID: id})
		}
	}
	if id, err := strconv.ParseInt(it.MetaValue("_thumbnail_id"), 10, 64); err == nil {
		if m, ok := im.library[id]; ok {
			a.FeaturedID = m.ID
		}
	}
	return "", nil
}

// sectionFor is the section of a category the export did not list, or
// the archive section for a post without one. The caller holds
// im.create.
func (im *wxrImporter) sectionFor(ctx context.Context, nicename, name string) (int64, error) {
	if im.opt.DryRun {
		return -1, nil
	}
	id, err := im.section(ctx, nicename, name)
	if news.IsInvalid(err) {
		return 0, nil
	}
	return id, err
}

// postAddresses: every address WordPress answered for the post.
func postAddresses(it *wxr.Item) []string {
	froms := []string{it.Link, "/?p=" + strconv.FormatInt(it.PostID, 10)}
	if it.GUID != "" && strings.Contains(it.GUID, "?p=") {
		froms = append(froms, it.GUID)
	}
	if u, err := url.Parse(it.Link); err == nil && u.RawQuery == "" {
		base := strings.TrimRight(u.EscapedPath(), "/")
		slug := it.PostName
		for _, old := range it.MetaValues("_wp_old_slug") {
			if slug != "" && strings.HasSuffix(base, "/"+slug) {
				froms = append(froms, strings.TrimSuffix(base, slug)+old)
			}
		}
		for _, old := range it.MetaValues("_wp_old_date") {
			if d, err := time.Parse("2006-01-02", old); err == nil {
				if t, ok := wpDate(it.PostDate); ok {
					froms = append(froms, strings.Replace(base, t.Format("/2006/01/02/"), d.Format("/2006/01/02/"), 1),
						strings.Replace(base, t.Format("/2006/01/"), d.Format("/2006/01/"), 1))
				}
			}
		}
	}
	return froms
}

func (im *wxrImporter) page(ctx context.Context, it *wxr.Item) error {
	if it.Status != "publish" {
		im.skip("page not published (pages have no drafts in Khabar)")
		return nil
	}
	idKey := strconv.FormatInt(it.PostID, 10)
	hash := itemHash(it, "")
	k, err := im.key(ctx, "page", idKey)
	if err != nil {
		return err
	}
	if k != nil && k.Hash == hash {
		im.unchanged()
		return nil
	}
	conv := wxr.Content(it.Content, im.image)
	for _, w := range conv.Warnings {
		im.warn(w)
	}
	p := &news.Page{}
	if k != nil && !im.opt.DryRun {
		old, err := im.store.PageByID(ctx, k.Target)
		if err == nil {
			p = old
		} else if !errors.Is(err, news.ErrNotFound) {
			return err
		}
	}
	p.Title = clipRunes(news.CleanName(it.Title), news.MaxPageTitle)
	if p.Title == "" {
		im.skip("page without a title")
		return nil
	}
	if p.ID == 0 {
		p.Slug = news.Slugify(decodeSlug(it.PostName))
	}
	p.Body = conv.Blocks
	p.Description = clipRunes(news.StripTags(it.Excerpt), news.MaxPageDescription)
	if im.opt.DryRun {
		im.done(k != nil)
		return nil
	}
	if p.ID != 0 {
		err = im.store.UpdatePage(ctx, p, importActor)
	} else {
		err = im.store.AddPage(ctx, p, importActor)
		var ie *news.InvalidError
		if errors.As(err, &ie) && ie.Fields["slug"] == "slug_taken" {
			p.Slug += "-" + idKey
			err = im.store.AddPage(ctx, p, importActor)
		}
	}
	if n := len(it.Comments); n > 0 && err == nil {
		im.skipN("comment on a page (pages take no comments)", n)
	}
	_, err = im.saved(ctx, err, "page", it, k != nil, p.ID, hash, "/page/"+url.PathEscape(p.Slug), []string{it.Link, "/?page_id=" + idKey, "/?p=" + idKey})
	return err
}

// saved accounts for the save of an item of kind post or page that ended
// with err: a refusal skips the item with its reason; a success is
// counted, and remembered under the item's WordPress id in the same
// transaction as the redirects from its old addresses froms to its new
// one.
func (im *wxrImporter) saved(ctx context.Context, err error, kind string, it *wxr.Item, before bool, id int64, hash, to string, froms []string) (bool, error) {
	var ie *news.InvalidError
	if errors.As(err, &ie) {
		im.skip("invalid " + kind + " (" + strings.TrimPrefix(ie.Error(), "invalid ") + ")")
		return false, nil
	}
	if err != nil {
		return false, err
	}
	im.done(before)
	if im.opt.DryRun {
		return true, nil
	}
	k := store.ImportKey{Source: im.source, Kind: kind, Key: strconv.FormatInt(it.PostID, 10), GUID: it.GUID, Target: id, Hash: hash}
	return true, im.putRedirects(ctx, &k, to, froms)
}

// attachmentPage sends an attachment's page to the post it belongs to,
// or to the picture itself when it belongs to none.
func (im *wxrImporter) attachmentPage(ctx context.Context, it *wxr.Item) error {
	to := ""
	if it.PostParent > 0 {
		if k, err := im.key(ctx, "post", strconv.FormatInt(it.PostParent, 10)); err != nil {
			return err
		} else if k != nil {
			a, err := im.store.GetArticle(ctx, k.Target)
			if err == nil && a.IsPublic() {
				to = news.ArticlePath(a)
			}
		}
	}
	if m, ok := im.library[it.PostID]; ok && to == "" {
		to = "/media/" + m.Path
	}
	if to == "" {
		im.skip("attachment page with neither a post nor a picture")
		return nil
	}
	id := strconv.FormatInt(it.PostID, 10)
	return im.redirects(ctx, to, it.Link, "/?attachment_id="+id, "/?p="+id)
}

// comments imports a post's comments: approved ones published, pending
// ones to the moderation queue, spam, trash, pingbacks and trackbacks
// left out. Replies keep their thread one level deep.
func (im *wxrImporter) comments(ctx context.Context, a *news.Article, it *wxr.Item) error {
	if len(it.Comments) == 0 {
		return nil
	}
	if a.Status != news.StatusPublished {
		im.skip("comment on a post not published")
		return nil
	}
	ids := map[int64]int64{} // WordPress comment id -> ours
	for _, c := range it.Comments {
		var status news.CommentStatus
		switch {
		case c.Type == "pingback" || c.Type == "trackback":
			im.skip("comment of type " + c.Type)
			continue
		case c.Approved == "1":
			status = news.CommentApproved
		case c.Approved == "0":
			status = news.CommentPending
		default:
			im.skip("comment marked " + strconv.Quote(c.Approved))
			continue
		}
		key := strconv.FormatInt(c.ID, 10)
		if k, err := im.key(ctx, "comment", key); err != nil {
			return err
		} else if k != nil {
			ids[c.ID] = k.Target
			continue
		}
		nc := &news.Comment{ArticleID: a.ID, ParentID: ids[c.Parent], Status: status, Name: news.CleanLine(c.Author),
			Body: commentText(c.Content)}
		if e := strings.TrimSpace(c.AuthorEmail); validEmail(e) {
			nc.Email = e
		}
		if t, ok := wpDate(c.DateGMT); ok {
			nc.CreatedAt = t
		}
		if nc.Name == "" {
			nc.Name = "-"
		}
		if nc.Body == "" {
			im.skip("empty comment")
			continue
		}
		err := im.store.CreateComment(ctx, nc)
		if errors.Is(err, store.ErrParentGone) {
			// The reply's parent waits for moderation: the reply stands
			// alone until it is approved.
			nc.ParentID = 0
			err = im.store.CreateComment(ctx, nc)
		}
		if err != nil {
			return err
		}
		ids[c.ID] = nc.ID
		im.made("comments")
		if err := im.saveKey(ctx, "comment", key, "", nc.ID, ""); err != nil {
			return err
		}
	}
	return nil
}

// commentText is a WordPress comment as the plain text Khabar keeps.
func commentText(s string) string {
	s = strings.NewReplacer("<br />", "\n", "<br/>", "\n", "<br>", "\n", "</p>", "\n\n").Replace(s)
	return strings.TrimSpace(news.StripTags(s))
}

// itemHash says whether an item changed since it was imported.
func itemHash(it *wxr.Item, status string) string {
	h := sha256.New()
	for _, s := range []string{it.Title, it.Content, it.Excerpt, it.PostName, it.Link, status, it.PostDateGMT, it.Creator,
		strconv.FormatBool(it.Sticky), it.CommentStatus, it.MetaValue("_thumbnail_id")} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	for _, t := range it.Terms {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", t.Domain, t.Nicename, t.Name)
	}
	for _, c := range it.Comments {
		fmt.Fprintf(h, "%d\x00%s\x00", c.ID, c.Approved)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// wpDate reads WordPress's "2006-01-02 15:04:05" (UTC for the _gmt
// fields); drafts have "0000-00-00 00:00:00".
func wpDate(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02 15:04:05", strings.TrimSpace(s))
	if err != nil || t.Year() < 1900 {
		return time.Time{}, false
	}
	return t, true
}

// validEmail keeps only addresses the profile and comment forms accept.
func validEmail(s string) bool {
	m, err := mail.ParseAddress(s)
	return err == nil && m.Address == s && len(s) <= 254
}

// decodeSlug undoes WordPress's percent-encoding of non-ASCII slugs.
func decodeSlug(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}
