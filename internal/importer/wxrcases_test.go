package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// caseExport is an Arabic outlet's export with what the fixtures lack:
// Co-Authors Plus bylines, old slugs and dates, a category three levels
// deep, a sticky, a private and a scheduled post, and spam and trashed
// comments.
const caseExport = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel><title>جريدة</title><link>https://jarida.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://jarida.example</wp:base_blog_url>
<wp:author><wp:author_login>sara</wp:author_login><wp:author_email>sara@jarida.example</wp:author_email><wp:author_display_name>سارة أحمد</wp:author_display_name></wp:author>
<wp:author><wp:author_login>omar</wp:author_login><wp:author_display_name>عمر خالد</wp:author_display_name></wp:author>
<wp:category><wp:category_nicename>%d8%b9%d8%b1%d8%a8</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>عرب</wp:cat_name></wp:category>
<wp:category><wp:category_nicename>maghreb</wp:category_nicename><wp:category_parent>%d8%b9%d8%b1%d8%a8</wp:category_parent><wp:cat_name>المغرب العربي</wp:cat_name></wp:category>
<wp:category><wp:category_nicename>tunis</wp:category_nicename><wp:category_parent>maghreb</wp:category_parent><wp:cat_name>تونس</wp:cat_name></wp:category>
<item><title>انتخابات بلدية في تونس</title><link>https://jarida.example/2024/03/05/%d8%a7%d9%86%d8%aa%d8%ae%d8%a7%d8%a8%d8%a7%d8%aa/</link>
<dc:creator>sara</dc:creator><guid isPermaLink="false">https://jarida.example/?p=41</guid>
<content:encoded><![CDATA[<!-- wp:paragraph --><p>جرت الانتخابات.</p><!-- /wp:paragraph -->]]></content:encoded><excerpt:encoded><![CDATA[<p>ملخص الخبر</p>]]></excerpt:encoded>
<wp:post_id>41</wp:post_id><wp:post_date>2024-03-05 10:00:00</wp:post_date><wp:post_date_gmt>2024-03-05 09:00:00</wp:post_date_gmt>
<wp:post_name>%d8%a7%d9%86%d8%aa%d8%ae%d8%a7%d8%a8%d8%a7%d8%aa</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:is_sticky>1</wp:is_sticky>
<category domain="category" nicename="tunis">تونس</category>
<category domain="author" nicename="cap-sara">sara</category><category domain="author" nicename="cap-omar">omar</category>
<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key><wp:meta_value>old-elections</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_wp_old_date</wp:meta_key><wp:meta_value>2024-03-04</wp:meta_value></wp:postmeta>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>قارئ</wp:comment_author><wp:comment_date_gmt>2024-03-05 11:00:00</wp:comment_date_gmt><wp:comment_content>تعليق</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>
<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>spammer</wp:comment_author><wp:comment_content>buy</wp:comment_content><wp:comment_approved>spam</wp:comment_approved></wp:comment>
<wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_author>x</wp:comment_author><wp:comment_content>gone</wp:comment_content><wp:comment_approved>trash</wp:comment_approved></wp:comment>
<wp:comment><wp:comment_id>4</wp:comment_id><wp:comment_author>قارئة</wp:comment_author><wp:comment_content>بانتظار المراجعة</wp:comment_content><wp:comment_approved>0</wp:comment_approved><wp:comment_parent>1</wp:comment_parent></wp:comment>
</item>
<item><title>خاص</title><link>https://jarida.example/2024/03/06/private/</link><dc:creator>sara</dc:creator>
<content:encoded>سر</content:encoded><wp:post_id>42</wp:post_id><wp:post_name>private</wp:post_name><wp:status>private</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>غدا</title><link>https://jarida.example/?p=43</link><dc:creator>omar</dc:creator>
<content:encoded>قريبا</content:encoded><wp:post_id>43</wp:post_id><wp:status>future</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>مسودة قديمة</title><wp:post_id>44</wp:post_id><wp:status>trash</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>`

func TestWXRCases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jarida.xml")
	if err := os.WriteFile(path, []byte(caseExport), 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) { testWXRCases(t, s, path) })
}

func testWXRCases(t *testing.T, s *store.Store, path string) {
	ctx := context.Background()
	st := importWXR(t, s, path, WXROptions{})
	if st.Imported != 3 || st.Skipped[`post status "trash"`] != 1 || st.Skipped[`comment marked "spam"`] != 1 || st.Skipped[`comment marked "trash"`] != 1 {
		t.Errorf("summary:\n%s", st.Summary())
	}
	for _, w := range []string{"private post imported as a draft; its address stays 404",
		"scheduled post imported as a draft", "category nested more than one level: put under its top-level category"} {
		if st.Warnings[w] != 1 {
			t.Errorf("warning %q not reported:\n%s", w, st.Summary())
		}
	}
	arts := articlesByTitle(t, s)
	a := arts["انتخابات بلدية في تونس"]
	if a == nil || a.Slug != "انتخابات" || a.Lead != "ملخص الخبر" || a.PublishedAt.Hour() != 9 || len(a.Authors) != 2 || !a.Pinned {
		t.Fatalf("article %+v", a)
	}
	// Co-Authors Plus: both bylines, in order.
	if a.Authors[0].Name != "سارة أحمد" || a.Authors[1].Name != "عمر خالد" {
		t.Errorf("authors %+v", a.Authors)
	}
	// A third level is put under the top-level category; the second is
	// kept nested.
	sec, err := s.SectionByID(ctx, a.SectionID)
	if err != nil || sec.Slug != "tunis" {
		t.Fatalf("section %+v (%v)", sec, err)
	}
	top, err := s.SectionBySlug(ctx, "عرب")
	if err != nil || sec.ParentID != top.ID {
		t.Errorf("tunis's parent %d, want عرب (%+v, %v)", sec.ParentID, top, err)
	}
	if mag, err := s.SectionBySlug(ctx, "maghreb"); err != nil || mag.ParentID != top.ID {
		t.Errorf("maghreb %+v (%v)", mag, err)
	}
	// Comments: the approved one published, the pending reply held.
	if a.CommentCount != 1 {
		t.Errorf("%d comments shown", a.CommentCount)
	}
	pending, _ := s.ListComments(ctx, store.CommentFilter{Status: news.CommentPending, Limit: 10})
	if len(pending) != 1 || pending[0].ArticleID != a.ID {
		t.Errorf("pending %+v", pending)
	}
	if arts["خاص"] == nil || arts["خاص"].Status != news.StatusDraft || arts["غدا"].Status != news.StatusDraft || arts["خاص"].Pinned {
		t.Errorf("private and scheduled posts: %+v %+v", arts["خاص"], arts["غدا"])
	}
	// Old addresses: the permalink, its old slug and old date, ?p=.
	want := news.ArticlePath(a)
	for _, p := range []string{"/2024/03/05/انتخابات/", "/2024/03/05/old-elections", "/2024/03/04/انتخابات", "/?p=41", "/category/tunis/", "/category/maghreb/tunis"} {
		path, query, _ := strings.Cut(p, "?")
		got, err := s.RedirectTarget(ctx, news.RedirectKeys(path, query))
		if err != nil {
			t.Errorf("%s: no redirect (%v)", p, err)
			continue
		}
		if strings.HasPrefix(p, "/2024") || strings.HasPrefix(p, "/?p") {
			if got != want {
				t.Errorf("%s → %s, want %s", p, got, want)
			}
		}
	}
	for _, p := range []string{"/2024/03/06/private", "?p=42"} {
		path, query, _ := strings.Cut(p, "?")
		if got, err := s.RedirectTarget(ctx, news.RedirectKeys("/"+strings.TrimPrefix(path, "/"), query)); err == nil {
			t.Errorf("the private post's %s redirects to %s", p, got)
		}
	}
}

// TestWXRInvalidUTF8: a post whose title and content hold bytes that are
// not UTF-8 is imported with U+FFFD in their place and a warning naming
// it and its lines; the posts around it import as if nothing happened.
func TestWXRInvalidUTF8(t *testing.T) {
	src := strings.Replace(caseExport, "<title>خاص</title>", "<title>خا\xd8ص</title>", 1)
	src = strings.Replace(src, "<content:encoded>سر</content:encoded>", "<content:encoded>س\xff\xfeر</content:encoded>", 1)
	path := filepath.Join(t.TempDir(), "broken.xml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st := importWXR(t, s, path, WXROptions{})
		if st.Imported != 3 {
			t.Errorf("summary:\n%s", st.Summary())
		}
		w := `invalid UTF-8 replaced by U+FFFD in post 42 "خا` + "\uFFFD" + `ص" (line 24, 25)`
		if st.Warnings[w] != 1 {
			t.Errorf("warning %q not reported:\n%s", w, st.Summary())
		}
		arts := articlesByTitle(t, s)
		a := arts["خا\uFFFDص"]
		if a == nil || len(a.Body) != 1 || a.Body[0].Text != "س\uFFFD\uFFFDر" {
			t.Errorf("repaired post: %+v", a)
		}
		if arts["انتخابات بلدية في تونس"] == nil || arts["غدا"] == nil {
			t.Errorf("the other posts: %v", arts)
		}
	})
}
