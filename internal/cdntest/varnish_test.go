package cdntest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"

	"khabar/internal/apptest"
	"khabar/internal/config"
	"khabar/internal/storetest"
)

// vclDir is where the shipped VCL lives, from this package's directory.
const vclDir = "../../deploy/varnish"

// varnishd is the path of varnishd: the test skips without it, unless
// KHABAR_REQUIRE_VARNISH=1 (CI), where a missing Varnish is a failure.
func varnishd(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("varnishd")
	if err != nil {
		if os.Getenv("KHABAR_REQUIRE_VARNISH") == "1" {
			t.Fatalf("KHABAR_REQUIRE_VARNISH=1 but varnishd is not on PATH: %v (apt-get install varnish varnish-modules)", err)
		}
		t.Skip("varnishd not found: install varnish and varnish-modules (xkey) to run the Varnish tests")
	}
	return path
}

// TestVarnishVCLCompiles: the VCL as shipped, nodes.vcl included,
// compiles (xkey and directors found).
func TestVarnishVCLCompiles(t *testing.T) {
	bin := varnishd(t)
	vcl, err := filepath.Abs(filepath.Join(vclDir, "khabar.vcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-C", "-j", "none", "-n", t.TempDir(), "-f", vcl).CombinedOutput()
	if err != nil {
		t.Fatalf("varnishd -C -f %s: %v\n%s", vcl, err, tail(out))
	}
}

// behindProxy is the tweak that makes a node trust Varnish on 127.0.0.1,
// with a search budget small enough for a storm to use up on both nodes.
func behindProxy(c *config.Config) {
	apptest.TightSearch(c)
	c.TrustedProxies = "127.0.0.1"
}

// TestVarnishInFrontOfNode: one node on SQLite, both backends pointed at it.
func TestVarnishInFrontOfNode(t *testing.T) {
	t.Parallel()
	bin := varnishd(t)
	node := apptest.StartNode(t, "", behindProxy)
	inFront(t, bin, node, node)
}

// TestVarnishInFrontOfTwoNodes: two nodes on one PostgreSQL, one backend
// each, so pages and purges go through the round-robin director and an
// edit made through one node is seen through the other.
func TestVarnishInFrontOfTwoNodes(t *testing.T) {
	t.Parallel()
	bin := varnishd(t)
	dbURL := storetest.PostgresURL(t)
	inFront(t, bin, apptest.StartNode(t, dbURL, behindProxy), apptest.StartNode(t, dbURL, behindProxy))
}

// inFront runs the shipped VCL in varnishd in front of node1 and node2:
// pages are cached per encoding, the private parts pass, a purge by
// surrogate key from the ACL drops a page, one from elsewhere is refused,
// and the nodes, trusting Varnish, see each reader's own address.
func inFront(t *testing.T, bin string, node1, node2 *apptest.Node) {
	v := startVarnish(t, bin, node1.App.Addr(), node2.App.Addr())
	node := node1
	// Readers come from 127.0.0.2 and .3 (loopback all the same), which
	// the purge ACL does not list; the purger comes from 127.0.0.1.
	reader, other, purger := client(t, "127.0.0.2"), client(t, "127.0.0.3"), client(t, "127.0.0.1")

	a := apptest.FirstPublished(t, node.Store)
	page := apptest.ArticleURL(a)
	old := a.Headline

	t.Run("pages are cached per encoding", func(t *testing.T) {
		for _, enc := range []string{"gzip", "br", "identity"} {
			first := v.get(t, reader, page, enc)
			if first.status != http.StatusOK || first.cache != "MISS" {
				t.Fatalf("%s first GET: %d X-Cache %q, want 200 MISS", enc, first.status, first.cache)
			}
			second := v.get(t, reader, page, enc)
			if second.status != http.StatusOK || second.cache != "HIT" || second.hdr.Get("Age") == "" {
				t.Fatalf("%s second GET: %d X-Cache %q Age %q, want 200 HIT with an Age", enc, second.status, second.cache, second.hdr.Get("Age"))
			}
			if got := second.hdr.Get("Content-Encoding"); got != map[string]string{"identity": ""}[enc] && got != enc {
				t.Errorf("%s: Content-Encoding %q", enc, got)
			}
			if !strings.Contains(second.body, old) {
				t.Errorf("%s: the page does not show its headline %q", enc, old)
			}
			if vary := second.hdr.Get("Vary"); vary != "Accept-Encoding" {
				t.Errorf("%s: Vary %q to readers, want Accept-Encoding", enc, vary)
			}
			for _, h := range []string{"Surrogate-Key", "Xkey"} {
				if got := second.hdr.Get(h); got != "" {
					t.Errorf("%s: %s %q reaches readers", enc, h, got)
				}
			}
		}
	})

	t.Run("browsers' Accept-Encoding finds the cached variant", func(t *testing.T) {
		for _, c := range []struct{ ae, want string }{
			{"gzip, deflate, br, zstd", "br"},
			{"br;q=0, gzip", "gzip"},
			{"gzip;q=0", ""},
			{"deflate", ""},
		} {
			r := v.get(t, reader, page, c.ae)
			if r.cache != "HIT" || r.hdr.Get("Content-Encoding") != c.want {
				t.Errorf("Accept-Encoding %q: X-Cache %q, Content-Encoding %q; want a HIT in %q", c.ae, r.cache, r.hdr.Get("Content-Encoding"), c.want)
			}
		}
	})

	t.Run("private parts pass", func(t *testing.T) {
		for _, path := range []string{"/admin/login", "/api/v1/search?q=" + url.QueryEscape("الحكومة"), "/healthz"} {
			for i := range 2 {
				r := v.get(t, reader, path, "gzip")
				if r.cache != "PASS" || r.status >= 500 {
					t.Errorf("%s, GET %d: %d X-Cache %q, want PASS from the node", path, i+1, r.status, r.cache)
				}
			}
		}
		r := v.do(t, reader, "GET", page, nil, map[string]string{"Accept-Encoding": "gzip", "Cookie": "theme=dark; khabar_session=x"})
		if r.cache != "PASS" {
			t.Errorf("a page with a session cookie: X-Cache %q, want PASS", r.cache)
		}
		r = v.do(t, reader, "GET", page, nil, map[string]string{"Accept-Encoding": "gzip", "Cookie": "_ga=GA1.1.1"})
		if r.cache != "HIT" {
			t.Errorf("a page with an analytics cookie only: X-Cache %q, want HIT", r.cache)
		}
		r = v.do(t, reader, "POST", "/alerts/email", url.Values{"email": {"not an address"}}, nil)
		if r.cache != "PASS" || r.status >= 500 || r.status == http.StatusOK {
			t.Errorf("POST /alerts/email with a bad address: %d X-Cache %q, want the node's refusal, passed", r.status, r.cache)
		}
	})

	t.Run("live stream passes unbuffered", func(t *testing.T) {
		// The stream stays open: its first line arrives only if Varnish
		// streams instead of waiting for the end.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "GET", v.base+"/live/ticker", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := reader.Do(req)
		if err != nil {
			t.Fatalf("GET /live/ticker through Varnish: %v", err)
		}
		defer res.Body.Close()
		if res.Header.Get("X-Cache") != "PASS" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
			t.Errorf("/live/ticker: X-Cache %q, Content-Type %q; want PASS, text/event-stream", res.Header.Get("X-Cache"), res.Header.Get("Content-Type"))
		}
		first := make([]byte, len("retry:"))
		if _, err := io.ReadFull(res.Body, first); err != nil || string(first) != "retry:" {
			t.Errorf("the stream's first bytes within 30 s: %q %v", first, err)
		}
	})

	t.Run("purge by surrogate key", func(t *testing.T) {
		a := node.Article(t, a.ID)
		a.Headline = "عنوان جديد بعد التصحيح"
		if err := node.Store.UpdateArticle(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		for _, n := range []*apptest.Node{node1, node2} {
			n.WaitEvents(t)
			if direct := n.Get(t, page); !strings.Contains(direct.Body, a.Headline) {
				t.Fatalf("the node on %s does not show the new headline yet", n.Base)
			}
		}
		if r := v.get(t, reader, page, "gzip"); r.cache != "HIT" || !strings.Contains(r.body, old) {
			t.Fatalf("before the purge: X-Cache %q; want the old page, a HIT", r.cache)
		}
		key := "article:" + apptest.ID(a)

		r := v.do(t, reader, "PURGE", "/", nil, map[string]string{"xkey-purge": key})
		if r.status != http.StatusForbidden {
			t.Errorf("PURGE from 127.0.0.2 (not in the ACL): %d, want 403", r.status)
		}
		if r := v.get(t, reader, page, "gzip"); r.cache != "HIT" || !strings.Contains(r.body, old) {
			t.Fatalf("after a refused purge: X-Cache %q, want the old page still cached", r.cache)
		}
		if r := v.do(t, purger, "PURGE", "/", nil, nil); r.status != http.StatusBadRequest {
			t.Errorf("PURGE without keys: %d, want 400", r.status)
		}

		r = v.do(t, purger, "PURGE", "/", nil, map[string]string{"xkey-purge": "no-such-key " + key})
		// gzip, br and identity: three variants carry the key.
		if r.status != http.StatusOK || r.reason != "Purged 3" {
			t.Fatalf("PURGE %s from 127.0.0.1: %d %q, want 200 Purged 3", key, r.status, r.reason)
		}
		for _, enc := range []string{"gzip", "br", "identity"} {
			r := v.get(t, reader, page, enc)
			if r.cache != "MISS" || !strings.Contains(r.body, a.Headline) {
				t.Errorf("%s after the purge: X-Cache %q, new headline shown: %v; want a MISS with it", enc, r.cache, strings.Contains(r.body, a.Headline))
			}
		}

		r = v.do(t, purger, "PURGE", "/", nil, map[string]string{"xkey-softpurge": key})
		if r.status != http.StatusOK || r.reason != "Purged 3" {
			t.Errorf("soft PURGE %s: %d %q, want 200 Purged 3", key, r.status, r.reason)
		}
	})

	t.Run("the node sees the reader behind Varnish", func(t *testing.T) {
		// The search budget is per reader (apptest.SearchBudget an hour on
		// each node): one reader's storm is refused in part, while another reader, behind
		// the same Varnish, still gets answers. Were the node to see only
		// Varnish, both would share one budget.
		// More than both nodes' budgets together.
		const storm = 4 * apptest.SearchBudget
		refused := 0
		var mu sync.Mutex
		var wg sync.WaitGroup
		next := make(chan int)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					// A spoofed X-Forwarded-For from the reader: Varnish
					// appends the real peer, which is what the node takes.
					code, err := v.try(reader, "/api/v1/search?q="+url.QueryEscape("الحكومة "+strconv.Itoa(i)), map[string]string{"X-Forwarded-For": "198.51.100." + strconv.Itoa(i%250)})
					mu.Lock()
					if err != nil || code != http.StatusOK && code != http.StatusTooManyRequests {
						t.Errorf("search %d: %d %v", i, code, err)
					}
					if code == http.StatusTooManyRequests {
						refused++
					}
					mu.Unlock()
				}
			}()
		}
		for i := range storm {
			next <- i
		}
		close(next)
		wg.Wait()
		if refused == 0 {
			t.Fatalf("%d searches of one reader through Varnish: none refused", storm)
		}
		if code, err := v.try(other, "/api/v1/search?q="+url.QueryEscape("الحكومة"), nil); code != http.StatusOK {
			t.Errorf("another reader through the same Varnish, after the first used up its budget: %d %v", code, err)
		}
	})
}

// varnish is a running varnishd.
type varnish struct{ base string }

type answer struct {
	status        int
	reason, cache string
	hdr           http.Header
	body          string
}

func (v *varnish) get(t *testing.T, c *http.Client, path, enc string) answer {
	t.Helper()
	return v.do(t, c, "GET", path, nil, map[string]string{"Accept-Encoding": enc})
}

// do sends a request through Varnish and reads the answer, decoded.
func (v *varnish) do(t *testing.T, c *http.Client, method, path string, form url.Values, hdr map[string]string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, v.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, val := range hdr {
		req.Header.Set(k, val)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s through Varnish: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s through Varnish: %v", method, path, err)
	}
	text, err := decode(res.Header.Get("Content-Encoding"), raw)
	if err != nil {
		t.Fatalf("%s %s through Varnish: %v", method, path, err)
	}
	_, reason, _ := strings.Cut(res.Status, " ")
	return answer{res.StatusCode, reason, res.Header.Get("X-Cache"), res.Header, text}
}

// try is a GET for other goroutines than the test's: it tells the status.
func (v *varnish) try(c *http.Client, path string, hdr map[string]string) (int, error) {
	req, err := http.NewRequest("GET", v.base+path, nil)
	if err != nil {
		return 0, err
	}
	for k, val := range hdr {
		req.Header.Set(k, val)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

func decode(enc string, raw []byte) (string, error) {
	var r io.Reader
	switch enc {
	case "":
		return string(raw), nil
	case "gzip":
		z, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return "", fmt.Errorf("gunzip: %w", err)
		}
		r = z
	case "br":
		r = brotli.NewReader(bytes.NewReader(raw))
	default:
		return "", fmt.Errorf("unexpected Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("decode %s: %w", enc, err)
	}
	return string(b), nil
}

// client is an HTTP client whose connections come from the loopback
// address from, so Varnish's ACL and the node see it as that peer. It
// neither follows redirects nor asks for an encoding on its own.
func client(t *testing.T, from string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, DisableCompression: true, MaxIdleConnsPerHost: 10}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// startVarnish runs varnishd in the foreground with the shipped VCL, its
// two backends pointed at node1 and node2 (host:port), on a free port of
// 127.0.0.1, and stops it (by its pid) when the test ends.
func startVarnish(t *testing.T, bin, node1, node2 string) *varnish {
	t.Helper()
	return startVarnishOn(t, bin, freeAddr(t), node1, node2)
}

// freeAddr is a free port of 127.0.0.1, taken back just before
// varnishd binds it.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startVarnishOn is startVarnish on addr, for nodes that must know
// Varnish's address before it starts (to purge it).
func startVarnishOn(t *testing.T, bin, addr, node1, node2 string) *varnish {
	t.Helper()
	dir := t.TempDir()
	vcl, err := os.ReadFile(filepath.Join(vclDir, "khabar.vcl"))
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := os.ReadFile(filepath.Join(vclDir, "nodes.vcl"))
	if err != nil {
		t.Fatal(err)
	}
	// nodes.vcl as shipped, its two backends moved to the test's nodes,
	// probed every second instead of five so a stopped node is found
	// sick within the test's few seconds.
	text := string(nodes)
	if strings.Count(text, ".interval = 5s;") != 1 {
		t.Fatal("nodes.vcl no longer has one probe every 5 s for the test to quicken")
	}
	text = strings.Replace(text, ".interval = 5s;", ".interval = 1s;", 1)
	for shipped, addr := range map[string]string{"8081": node1, "8082": node2} {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		from := ".host = \"127.0.0.1\";\n    .port = \"" + shipped + "\";"
		if strings.Count(text, from) != 1 {
			t.Fatalf("nodes.vcl no longer has one backend at 127.0.0.1:%s for the test to move", shipped)
		}
		text = strings.Replace(text, from, ".host = \""+host+"\";\n    .port = \""+port+"\";", 1)
	}
	for name, b := range map[string][]byte{"khabar.vcl": vcl, "nodes.vcl": []byte(text)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := &apptest.SyncBuffer{}
	cmd := exec.Command(bin, "-F", "-j", "none", "-n", filepath.Join(dir, "work"), "-a", addr,
		"-f", filepath.Join(dir, "khabar.vcl"), "-s", "malloc,32m", "-T", "127.0.0.1:0")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start varnishd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			// The manager and its child are one process group of ours.
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
			t.Errorf("varnishd (pid %d) did not stop within 30 s of SIGTERM; killed", cmd.Process.Pid)
		}
	})

	// Ready when a probe through Varnish reaches a node: the VCL is
	// loaded and the backends' health probes have answered.
	v := &varnish{base: "http://" + addr}
	c := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case err := <-exited:
			t.Fatalf("varnishd exited: %v\n%s", err, tail([]byte(out.String())))
		default:
		}
		res, err := c.Get(v.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return v
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Varnish on %s did not pass /healthz to a node within a minute (last: %v)\n%s", addr, err, tail([]byte(out.String())))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tail is the end of a command's output, for a failure message.
func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
