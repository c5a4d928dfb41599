// Package browsertest drives Debian's Chromium through chromedp for the
// end-to-end browser tests (its subpackages), against nodes started by
// apptest. Outside CI the tests skip when no browser is installed; in CI
// (CI set, or KHABAR_REQUIRE_BROWSER=1) they fail, so a machine without
// Chromium cannot pass them by skipping.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// StepWait bounds each wait of a browser test: generous, for a loaded
// two-core machine; an idle one answers in well under a second.
const StepWait = 30 * time.Second

// TabTimeout bounds a tab's life, whatever its test does.
const TabTimeout = 3 * time.Minute

// Required tells whether the browser tests must run here.
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("KHABAR_REQUIRE_BROWSER") == "1"
}

// SkipOrFail skips the test on a developer's machine that lacks a browser
// tool, and fails it where the browser tests must run.
func SkipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// ChromiumPath finds Debian's Chromium (or another Chrome) to drive;
// KHABAR_CHROMIUM names one explicitly.
func ChromiumPath() string {
	if p := os.Getenv("KHABAR_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Start starts one headless Chromium for the test. The flags keep
// it off the network: without them it tries to reach Google's services and
// floods the closed network with refused connections.
func Start(t *testing.T) context.Context {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		SkipOrFail(t, "browser tests need Chromium: apt-get install chromium (or set KHABAR_CHROMIUM)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// NewTab opens a tab that closes when the subtest ends or tabTimeout
// passes, whichever is first.
func NewTab(t *testing.T, browser context.Context, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	ctx, cancelTimeout := context.WithTimeout(browser, TabTimeout)
	tab, cancel := chromedp.NewContext(ctx, opts...)
	t.Cleanup(func() { cancel(); cancelTimeout() })
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return tab
}

// Browse runs actions and fails the test at the first error.
func Browse(t *testing.T, tab context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its value.
func Eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.80s: %v", expr, err)
	}
	return v
}

// Output is where screenshots and saved pages go: KHABAR_TEST_OUTPUT,
// or test-output at the top of the repository (ignored by git).
func Output(t *testing.T, sub string) string {
	t.Helper()
	dir := os.Getenv("KHABAR_TEST_OUTPUT")
	if dir == "" {
		dir = RepoPath(t, "test-output")
	}
	dir, err := filepath.Abs(filepath.Join(dir, sub))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// RepoPath is elem under the top of the repository (the directory holding
// go.mod), whichever package's directory the test runs in.
func RepoPath(t *testing.T, elem ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(append([]string{dir}, elem...)...)
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = up
	}
}

// Axe is axe-core's script from tools/browser, or the test skips (fails
// where browser tests must run) when npm has not installed it.
func Axe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(RepoPath(t, "tools", "browser", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		SkipOrFail(t, "axe-core is missing (run: cd tools/browser && npm ci --ignore-scripts): %v", err)
	}
	return string(b)
}

// Login signs in through the login form, with the keyboard only.
func Login(t *testing.T, tab context.Context, base string, role auth.Role) {
	t.Helper()
	Browse(t, tab, "log in",
		chromedp.Navigate(base+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), string(role)+"@khabar.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`form.whoami`)),
	)
}

// SignedIn starts a node with the demo and a Chromium tab signed in to
// its newsroom as role.
func SignedIn(t *testing.T, role auth.Role) (*apptest.Node, context.Context) {
	t.Helper()
	n := apptest.StartNode(t, "")
	browser := Start(t) // after the node: it stops first
	apptest.Login(t, n, role)
	tab := NewTab(t, browser)
	Login(t, tab, n.Base, role)
	return n, tab
}

// RichArticle is the published article with the most body blocks that
// has a picture: the heaviest page a reader is likely to open.
func RichArticle(t *testing.T, s *store.Store) (*news.Article, string) {
	t.Helper()
	a := apptest.BestArticle(t, s, "with a picture", func(a, best *news.Article) bool {
		return a.FeaturedID != 0 && (best == nil || len(a.Body) > len(best.Body))
	})
	return a, news.ArticlePath(a)
}

// Screenshot saves the whole page in view to file, as JPEG: a full page
// as PNG takes seconds to encode.
func Screenshot(t *testing.T, tab context.Context, file string) {
	t.Helper()
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(85))
	if err != nil {
		t.Fatalf("screenshot %s: %v", filepath.Base(file), err)
	}
	if err := os.WriteFile(file, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// LoadPictures loads every lazy picture now and waits for them all.
func LoadPictures(t *testing.T, tab context.Context) {
	t.Helper()
	Eval[chromedp.Void](t, tab, `document.querySelectorAll("img[loading=lazy]").forEach(i => i.loading = "eager")`)
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`[...document.images].every(i => i.complete)`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("pictures still loading: %v", err)
	}
}
