// Command wxrgen writes a WordPress export (WXR 1.2) of n posts made from
// a JSON Lines news corpus, for timing khabar import wxr: the corpus's
// articles in turn, each copy with its own id, date and slug; half of the
// posts with a category and tags, one in ten with comments, one in twenty
// with a picture. It streams: memory does not grow with n.
//
//	go run ./bench/wxrgen -n 50000 -o /tmp/export.xml ../shared/data/arabic-news.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
)

type record struct {
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	Category   string   `json:"category"`
	CategoryAr string   `json:"category_ar"`
	Tags       []string `json:"tags"`
	Author     string   `json:"author"`
}

func main() {
	n := flag.Int("n", 50000, "posts to write")
	out := flag.String("o", "-", "output file (- for standard output)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: wxrgen [-n N] [-o FILE] CORPUS.jsonl")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "wxrgen:", err)
		os.Exit(1)
	}
}

func run(corpus, out string, n int) error {
	recs, err := load(corpus)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprint(bw, `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>أخبار</title>
<link>https://news.example</link>
<language>ar</language>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://news.example</wp:base_site_url>
<wp:base_blog_url>https://news.example</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[editor]]></wp:author_login><wp:author_email><![CDATA[editor@news.example]]></wp:author_email><wp:author_display_name><![CDATA[هيئة التحرير]]></wp:author_display_name></wp:author>
`)
	cats := map[string]string{}
	for _, r := range recs {
		if r.Category != "" {
			cats[r.Category] = r.CategoryAr
		}
	}
	for slug, name := range cats {
		fmt.Fprintf(bw, "<wp:category><wp:category_nicename>%s</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>%s</wp:cat_name></wp:category>\n", slug, cdata(name))
	}
	start := time.Date(2015, 1, 1, 6, 0, 0, 0, time.UTC)
	comment := 1
	for i := range n {
		r := recs[i%len(recs)]
		id := i + 1
		title := r.Title
		if i >= len(recs) {
			title = fmt.Sprintf("%s (%d)", r.Title, i/len(recs)+1)
		}
		date := start.Add(time.Duration(i) * 47 * time.Minute)
		slug := fmt.Sprintf("post-%d", id)
		var body strings.Builder
		for _, p := range strings.Split(r.Body, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				body.WriteString("<!-- wp:paragraph -->\n<p>" + escape(p) + "</p>\n<!-- /wp:paragraph -->\n\n")
			}
		}
		if i%20 == 7 {
			fmt.Fprintf(&body, "<!-- wp:image {\"id\":%d} -->\n<figure class=\"wp-block-image\"><img src=\"https://news.example/wp-content/uploads/%s/photo-%d.jpg\" alt=\"صورة\" class=\"wp-image-%d\"/></figure>\n<!-- /wp:image -->\n",
				1000000+id, date.Format("2006/01"), id, 1000000+id)
		}
		fmt.Fprintf(bw, "<item>\n<title>%s</title>\n<link>https://news.example/%s/%s/</link>\n<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n<guid isPermaLink=\"false\">https://news.example/?p=%d</guid>\n<description></description>\n<content:encoded>%s</content:encoded>\n<excerpt:encoded>%s</excerpt:encoded>\n",
			cdata(title), date.Format("2006/01/02"), url.PathEscape(slug), date.Format(time.RFC1123Z), cdata("editor"), id, cdata(body.String()), cdata(""))
		fmt.Fprintf(bw, "<wp:post_id>%d</wp:post_id>\n<wp:post_date>%s</wp:post_date>\n<wp:post_date_gmt>%s</wp:post_date_gmt>\n<wp:comment_status>open</wp:comment_status>\n<wp:post_name>%s</wp:post_name>\n<wp:status>publish</wp:status>\n<wp:post_parent>0</wp:post_parent>\n<wp:menu_order>0</wp:menu_order>\n<wp:post_type>post</wp:post_type>\n<wp:post_password></wp:post_password>\n<wp:is_sticky>0</wp:is_sticky>\n",
			id, date.Format("2006-01-02 15:04:05"), date.Format("2006-01-02 15:04:05"), slug)
		if i%2 == 0 && r.Category != "" {
			fmt.Fprintf(bw, "<category domain=\"category\" nicename=\"%s\">%s</category>\n", r.Category, cdata(r.CategoryAr))
			for _, t := range r.Tags {
				fmt.Fprintf(bw, "<category domain=\"post_tag\" nicename=\"%s\">%s</category>\n", url.PathEscape(t), cdata(t))
			}
		}
		if i%10 == 3 {
			for j := range 3 {
				parent := 0
				if j == 2 {
					parent = comment - 1
				}
				fmt.Fprintf(bw, "<wp:comment>\n<wp:comment_id>%d</wp:comment_id>\n<wp:comment_author>%s</wp:comment_author>\n<wp:comment_author_email>reader%d@example.org</wp:comment_author_email>\n<wp:comment_date>%s</wp:comment_date>\n<wp:comment_date_gmt>%s</wp:comment_date_gmt>\n<wp:comment_content>%s</wp:comment_content>\n<wp:comment_approved>1</wp:comment_approved>\n<wp:comment_type>comment</wp:comment_type>\n<wp:comment_parent>%d</wp:comment_parent>\n</wp:comment>\n",
					comment, cdata("قارئ"), comment, date.Add(time.Hour).Format("2006-01-02 15:04:05"), date.Add(time.Hour).Format("2006-01-02 15:04:05"), cdata("شكرا على هذا الخبر المفيد"), parent)
				comment++
			}
		}
		fmt.Fprint(bw, "</item>\n")
	}
	fmt.Fprint(bw, "</channel>\n</rss>\n")
	return bw.Flush()
}

func load(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Title != "" && r.Body != "" {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no articles", path)
	}
	return recs, sc.Err()
}

func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }
