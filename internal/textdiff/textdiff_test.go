package textdiff

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"arabic with tashkeel", "قالَ الوزيرُ", []string{"قالَ", " ", "الوزيرُ"}},
		{"arabic punctuation", "نعم، لا؟", []string{"نعم", "،", " ", "لا", "؟"}},
		{"mixed latin and digits", "COVID-19 في 2024", []string{"COVID", "-", "19", " ", "في", " ", "2024"}},
		{"decimals stay whole", "٣٫٥ و3.5 و1,000", []string{"٣٫٥", " ", "و3.5", " ", "و1,000"}},
		{"comma between words splits", "نعم,لا", []string{"نعم", ",", "لا"}},
		{"apostrophe in a word", "don't 'x'", []string{"don't", " ", "'", "x", "'"}},
		{"zero-width non-joiner", "می\u200cخواهم", []string{"می\u200cخواهم"}},
		{"spaces run", "a \n\tb", []string{"a", " \n\t", "b"}},
		{"trailing dot", "انتهى.", []string{"انتهى", "."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []Op
	}{
		{"both empty", "", "", nil},
		{"old empty", "", "خبر جديد", []Op{{Insert, "خبر جديد"}}},
		{"new empty", "خبر قديم", "", []Op{{Delete, "خبر قديم"}}},
		{"same", "لا تغيير", "لا تغيير", []Op{{Equal, "لا تغيير"}}},
		{"arabic word replaced", "قال الوزير اليوم", "قال الرئيس اليوم",
			[]Op{{Equal, "قال "}, {Delete, "الوزير"}, {Insert, "الرئيس"}, {Equal, " اليوم"}}},
		{"arabic word added", "وصل الوفد", "وصل الوفد الرسمي",
			[]Op{{Equal, "وصل الوفد"}, {Insert, " الرسمي"}}},
		{"diacritic change is a word change", "كَتَبَ", "كُتِبَ", []Op{{Delete, "كَتَبَ"}, {Insert, "كُتِبَ"}}},
		{"number changed", "قُتل 12 شخصًا", "قُتل 15 شخصًا",
			[]Op{{Equal, "قُتل "}, {Delete, "12"}, {Insert, "15"}, {Equal, " شخصًا"}}},
		{"punctuation only", "انتهى.", "انتهى!", []Op{{Equal, "انتهى"}, {Delete, "."}, {Insert, "!"}}},
		{"mixed scripts", "أعلنت Apple اليوم", "أعلنت Google أمس",
			[]Op{{Equal, "أعلنت "}, {Delete, "Apple"}, {Insert, "Google"}, {Equal, " "}, {Delete, "اليوم"}, {Insert, "أمس"}}},
		{"moved word", "أ ب ج", "ب ج أ", []Op{{Delete, "أ "}, {Equal, "ب ج"}, {Insert, " أ"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Words(tt.old, tt.new)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Words(%q, %q) = %v, want %v", tt.old, tt.new, got, tt.want)
			}
		})
	}
}

func TestWordsTooLargeIsCoarse(t *testing.T) {
	old := strings.Repeat("أ ", 3000) + "x"
	new := "y" + strings.Repeat(" ب", 3000)
	got := Words(old, new)
	if len(got) != 2 || got[0].Kind != Delete || got[1].Kind != Insert {
		t.Fatalf("a diff beyond the table's bound should be one deletion and one insertion, got %d ops", len(got))
	}
}

// sides rebuilds the old and new texts from ops.
func sides(ops []Op) (old, new string) {
	var o, n strings.Builder
	for _, op := range ops {
		if op.Kind != Insert {
			o.WriteString(op.Text)
		}
		if op.Kind != Delete {
			n.WriteString(op.Text)
		}
	}
	return o.String(), n.String()
}

func FuzzWords(f *testing.F) {
	f.Add("قال الوزير اليوم", "قال الرئيس اليوم")
	f.Add("", "x")
	f.Add("3.5, don't", "٣٫٥، لا")
	f.Add("\xff\xfe", "a\u200c")
	f.Fuzz(func(t *testing.T, old, new string) {
		if strings.Join(Tokens(old), "") != old {
			t.Fatalf("tokens of %q do not rebuild it", old)
		}
		ops := Words(old, new)
		o, n := sides(ops)
		if o != old || n != new {
			t.Fatalf("Words(%q, %q) rebuilds %q, %q", old, new, o, n)
		}
		for i, op := range ops {
			if op.Text == "" {
				t.Fatalf("empty op %d", i)
			}
			if i > 0 && ops[i-1].Kind == op.Kind {
				t.Fatalf("unmerged ops at %d: %v", i, ops)
			}
			if utf8.ValidString(old) && utf8.ValidString(new) && !utf8.ValidString(op.Text) {
				t.Fatalf("op %d cuts a character: %q", i, op.Text)
			}
		}
	})
}
