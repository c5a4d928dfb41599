package wxr

import (
	"encoding/json"
	"strings"
	"testing"

	"khabar/internal/news"
)

// library stands for the media library: pictures whose address holds
// "known" or whose attachment id is 10 or 11 are in it.
func library(im Image) (news.Block, bool) {
	switch {
	case im.ID == 10 || im.ID == 11:
		return news.Block{Type: news.BlockImage, MediaID: im.ID}, true
	case strings.Contains(im.Src, "known"):
		return news.Block{Type: news.BlockImage, MediaID: 99}, true
	}
	return news.Block{}, false
}

func TestContent(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      string // the blocks as JSON
		warnings  string // joined with "|"
	}{
		{"wpautop paragraphs and breaks", "First line\nsame paragraph\n\nSecond <strong>one</strong>\n\n\nThird",
			`[{"type":"paragraph","text":"First line\u003cbr\u003e same paragraph"},{"type":"paragraph","text":"Second \u003cstrong\u003eone\u003c/strong\u003e"},{"type":"paragraph","text":"Third"}]`, ""},
		{"gutenberg paragraph, heading, list, quote, separator",
			"<!-- wp:paragraph -->\n<p>مرحبا</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:heading -->\n<h2>عنوان</h2>\n<!-- /wp:heading -->\n<!-- wp:list --><ul><li>a</li><li>b</li></ul><!-- /wp:list -->\n<!-- wp:quote --><blockquote class=\"wp-block-quote\"><p>قول</p></blockquote><!-- /wp:quote -->\n<!-- wp:separator --><hr class=\"wp-block-separator\"/><!-- /wp:separator -->",
			`[{"type":"paragraph","text":"مرحبا"},{"type":"heading","text":"عنوان","level":2},{"type":"list","items":["a","b"]},{"type":"quote","text":"قول"},{"type":"divider"}]`, ""},
		{"script and style never survive", "<p>a<script>alert(1)</script></p><style>p{}</style><p onclick=\"x()\">b</p>",
			`[{"type":"paragraph","text":"a"},{"type":"paragraph","text":"b"}]`, ""},
		{"gutenberg image with caption", `<!-- wp:image {"id":10} --><figure class="wp-block-image"><img src="http://old/wp-content/uploads/a.jpg" alt="بديل" class="wp-image-10"/><figcaption>تعليق</figcaption></figure><!-- /wp:image -->`,
			`[{"type":"image","media_id":10,"caption":"تعليق","alt":"بديل"}]`, ""},
		{"caption shortcode", `[caption id="attachment_11" align="alignnone" width="300"]<a href="x.jpg"><img class="size-medium wp-image-11" src="x-300x200.jpg" alt="" /></a> The caption[/caption]`,
			`[{"type":"image","media_id":11,"caption":"The caption"}]`, ""},
		{"picture not in the library", `<p>before <img src="http://old/missing.jpg"> after</p>`,
			`[{"type":"paragraph","text":"before"},{"type":"paragraph","text":"after"}]`, "picture not in the media library left out"},
		{"gallery ids", `[gallery ids="10,11,12"]`,
			`[{"type":"image","media_id":10},{"type":"image","media_id":11}]`, "picture not in the media library left out"},
		{"gutenberg embed", `<!-- wp:embed {"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","type":"video","providerNameSlug":"youtube"} --><figure class="wp-block-embed"><div class="wp-block-embed__wrapper">https://www.youtube.com/watch?v=dQw4w9WgXcQ</div></figure><!-- /wp:embed -->`,
			`[{"type":"embed","url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ"}]`, ""},
		{"legacy core-embed", `<!-- wp:core-embed/twitter {"url":"https://twitter.com/x/status/1"} --><figure>https://twitter.com/x/status/1</figure><!-- /wp:core-embed/twitter -->`,
			`[{"type":"embed","url":"https://twitter.com/x/status/1"}]`, ""},
		{"URL alone on its line", "Watch this:\n\nhttp://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nand this: https://x.com/a/status/2 inline",
			`[{"type":"paragraph","text":"Watch this:"},{"type":"embed","url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ"},{"type":"paragraph","text":"and this: https://x.com/a/status/2 inline"}]`, ""},
		{"embed shortcode and iframe", `[embed]https://www.instagram.com/p/abc/[/embed]<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>`,
			`[{"type":"embed","url":"https://www.instagram.com/p/abc/"},{"type":"embed","url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ"}]`, ""},
		{"unsupported embed kept as a link", `[embed]https://vimeo.com/1[/embed]`,
			`[{"type":"paragraph","text":"\u003ca href=\"https://vimeo.com/1\"\u003ehttps://vimeo.com/1\u003c/a\u003e"}]`, "embed of an unsupported site kept as a link"},
		{"video shortcode", `[video mp4="http://old/v.mp4"][/video]`,
			`[{"type":"paragraph","text":"\u003ca href=\"http://old/v.mp4\"\u003ehttp://old/v.mp4\u003c/a\u003e"}]`, "[video] kept as a link"},
		{"unknown shortcode kept", `Before [contact-form-7 id="1"] after`,
			`[{"type":"paragraph","text":"Before [contact-form-7 id=\u0026#34;1\u0026#34;] after"}]`, "unknown shortcode [contact-form-7] kept as text"},
		{"table", "<!-- wp:table --><figure class=\"wp-block-table\"><table><tr><td>1</td><td onclick=\"x\">2</td></tr></table></figure><!-- /wp:table -->",
			`[{"type":"html","text":"\u003ctable\u003e\u003ctr\u003e\u003ctd\u003e1\u003c/td\u003e\u003ctd\u003e2\u003c/td\u003e\u003c/tr\u003e\u003c/table\u003e"}]`, ""},
		{"backslashes kept", `Slashes aren\'t \"cool\"`, `[{"type":"paragraph","text":"Slashes aren\\\u0026#39;t \\\u0026#34;cool\\\u0026#34;"}]`, ""},
		{"empty", "", `null`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Content(c.src, library)
			js, _ := json.Marshal(got.Blocks)
			if string(js) != c.want {
				t.Errorf("blocks\n got %s\nwant %s", js, c.want)
			}
			if w := strings.Join(got.Warnings, "|"); w != c.warnings {
				t.Errorf("warnings %q, want %q", w, c.warnings)
			}
		})
	}
}

func FuzzContent(f *testing.F) {
	f.Add("[caption]<img src=x>[/caption]\n\nhttps://youtu.be/dQw4w9WgXcQ\n[gallery ids=1]")
	f.Fuzz(func(t *testing.T, src string) {
		for _, b := range Content(src, library).Blocks {
			if err := b.Validate(); err != nil {
				t.Fatalf("block %+v: %v", b, err)
			}
		}
	})
}
