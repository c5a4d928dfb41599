package paste

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"khabar/internal/news"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// TestGolden converts each testdata/*.html clipboard sample and compares
// the blocks with testdata/*.golden.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// Unescaped, so the golden files read as the HTML they hold.
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(Blocks(string(src))); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			golden := strings.TrimSuffix(f, ".html") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("blocks differ from %s:\n%s", golden, got)
			}
		})
	}
}

func TestBlocks(t *testing.T) {
	long := strings.Repeat("كلمة ", news.MaxBlockText)
	tests := []struct {
		name, html string
		want       []news.Block
	}{
		{"empty", "", nil},
		{"plain text", "سطر بلا وسوم", []news.Block{{Type: news.BlockParagraph, Text: "سطر بلا وسوم"}}},
		{"invalid utf-8", "نص\xff\xfe صالح", []news.Block{{Type: news.BlockParagraph, Text: "نص صالح"}}},
		{"script and style dropped", "<p>أ<script>alert(1)</script><style>p{}</style>ب</p>", []news.Block{{Type: news.BlockParagraph, Text: "أب"}}},
		{"unsafe link loses its tag", `<p><a href="javascript:alert(1)">هنا</a></p>`, []news.Block{{Type: news.BlockParagraph, Text: "هنا"}}},
		{"not-bold b", `<b style="font-weight:normal">عادي</b>`, []news.Block{{Type: news.BlockParagraph, Text: "عادي"}}},
		{"empty heading dropped", "<h2> </h2><p>x</p>", []news.Block{{Type: news.BlockParagraph, Text: "x"}}},
		{"spaces outside tags", "<p>أ<b> ب </b>ج</p>", []news.Block{{Type: news.BlockParagraph, Text: "أ <strong>ب</strong> ج"}}},
		{"word bullet list", `<p style="mso-list:l0 level1 lfo1"><span style="mso-list: Ignore">o</span>أ</p><p style="mso-list:l0 level1 lfo1">ب</p>`,
			[]news.Block{{Type: news.BlockList, Items: []string{"أ", "ب"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := json.Marshal(Blocks(tt.html))
			want, _ := json.Marshal(tt.want)
			if !bytes.Equal(got, want) {
				t.Errorf("Blocks(%q)\n got %s\nwant %s", tt.html, got, want)
			}
		})
	}
	t.Run("long paragraph is split", func(t *testing.T) {
		got := Blocks("<p>" + long + "</p>")
		if len(got) < 5 {
			t.Fatalf("got %d blocks", len(got))
		}
		checkValid(t, got)
	})
	t.Run("long list is split", func(t *testing.T) {
		got := Blocks("<ul>" + strings.Repeat("<li>بند</li>", 250) + "</ul>")
		if len(got) != 3 || len(got[0].Items) != 100 || len(got[2].Items) != 50 {
			t.Fatalf("got %d blocks", len(got))
		}
	})
	t.Run("too many blocks are cut", func(t *testing.T) {
		got := Blocks(strings.Repeat("<p>فقرة</p>", news.MaxBlocks+20))
		if len(got) != news.MaxBlocks {
			t.Fatalf("got %d blocks", len(got))
		}
	})
}

// checkValid fails unless blocks make a valid article body that saving
// leaves as it is.
func checkValid(t *testing.T, blocks []news.Block) {
	t.Helper()
	a := news.Article{Headline: "عنوان", SectionID: 1, Body: append([]news.Block(nil), blocks...)}
	if err := a.Normalize(); err != nil {
		t.Fatalf("pasted blocks are not a valid body: %v", err)
	}
	before, _ := json.Marshal(blocks)
	after, _ := json.Marshal(a.Body)
	if !bytes.Equal(before, after) {
		t.Fatalf("saving changes pasted blocks:\n%s\n%s", before, after)
	}
}

// BenchmarkBlocks measures the Word sample, the heaviest realistic paste.
func BenchmarkBlocks(b *testing.B) {
	src, err := os.ReadFile("testdata/word.html")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Blocks(string(src))
	}
}

func FuzzBlocks(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.html")
	for _, name := range files {
		src, _ := os.ReadFile(name)
		f.Add(string(src))
	}
	f.Add("<b><p>x</b>y<ul><li><ol><li>z")
	f.Add(strings.Repeat("<div>", 3000) + "x")
	f.Fuzz(func(t *testing.T, src string) {
		blocks := Blocks(src)
		if len(blocks) > news.MaxBlocks {
			t.Fatalf("%d blocks", len(blocks))
		}
		// Headings and quotes are plain text, escaped when shown; only
		// the markup of paragraphs and list items must be clean.
		for _, b := range blocks {
			markup := b.Items
			if b.Type == news.BlockParagraph {
				markup = append(markup, b.Text)
			}
			for _, m := range markup {
				if strings.Contains(strings.ToLower(m), "<script") {
					t.Fatalf("script survived: %q", m)
				}
			}
		}
		checkValid(t, blocks)
	})
}
