package desk

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"khabar/internal/auth"
	"khabar/internal/browsertest"
)

// TestBrowserAlertRoom: the alert composer says how many words the alert
// still has room for, warns as it nears the limit and says how much to
// cut past it, in words, never in bytes.
func TestBrowserAlertRoom(t *testing.T) {
	t.Parallel()
	n, tab := browsertest.SignedIn(t, auth.RoleEditor)
	browsertest.Browse(t, tab, "open the composer", chromedp.Navigate(n.Base+"/admin/alerts"))
	browsertest.PageLoaded(t, tab, "/admin/alerts")
	room := func(text string) (string, bool) {
		t.Helper()
		type shown struct {
			Text string
			Warn bool
		}
		s := browsertest.Eval[shown](t, tab, `(() => {
			const f = document.getElementById("alert-form");
			f.elements.title.value = "عاجل: زلزال قوي يضرب المنطقة";
			f.elements.text.value = `+strconv.Quote(text)+`;
			f.elements.text.dispatchEvent(new Event("input", {bubbles: true}));
			const out = document.getElementById("alert-size");
			return {text: out.textContent, warn: out.classList.contains("warn")};
		})()`)
		return s.Text, s.Warn
	}
	word := "السكان "
	cases := []struct {
		name  string
		text  string
		want  string
		warns bool
	}{
		{"short", "شعر السكان بهزة أرضية.", "يتسع التنبيه لنحو", false},
		{"long but room left", strings.Repeat(word, 200), "يتسع التنبيه لنحو", false},
		{"nearly full", strings.Repeat(word, 216), "اقتربت من الحد", true},
		{"too long for Firefox", strings.Repeat(word, 240), "احذف نحو", true},
		{"over the limit", strings.Repeat(word, 400), "فلن يُرسل", true},
	}
	for _, c := range cases {
		got, warns := room(c.text)
		if !strings.Contains(got, c.want) || warns != c.warns || strings.Contains(got, "بايت") {
			t.Errorf("%s: %q (warning %v), want %q (warning %v), in words", c.name, got, warns, c.want, c.warns)
		}
	}
}
