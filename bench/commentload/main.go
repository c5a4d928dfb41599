// Command commentload is the comment half of bench/comments.sh: many
// concurrent commenters posting through the API of a running Khabar,
// each post from its own loopback address, and afterwards a check that
// every comment the server accepted is in the database.
//
//	commentload -base http://127.0.0.1:8080 -workers 200 -duration 30s -out accepted.tsv
//	commentload -verify -data DIR -in accepted.tsv
//	commentload -mode post -data DIR     (sets the site's comment mode while it runs)
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"khabar/internal/news"
	"khabar/internal/settings"
	"khabar/internal/store"
)

func main() {
	base := flag.String("base", "", "Khabar's origin")
	workers := flag.Int("workers", 200, "concurrent commenters")
	duration := flag.Duration("duration", 30*time.Second, "how long to post")
	fill := flag.Duration("fill", 3*time.Second, "wait between taking a form token and posting (the server's minimum)")
	out := flag.String("out", "accepted.tsv", "where accepted comment ids and texts go")
	verify := flag.Bool("verify", false, "check that every accepted comment is stored")
	in := flag.String("in", "accepted.tsv", "accepted comments to verify")
	data := flag.String("data", "", "the server's data directory (SQLite)")
	mode := flag.String("mode", "", "set the site's comment mode (pre, post) and exit")
	flag.Parse()
	var err error
	switch {
	case *mode != "":
		err = setMode(*data, *mode)
	case *verify:
		err = check(*data, *in)
	default:
		err = load(*base, *workers, *duration, *fill, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "commentload:", err)
		os.Exit(1)
	}
}

func setMode(dir, mode string) error {
	s, err := store.OpenSQLite(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	m, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	st := settings.FromMap(m)
	st.CommentMode = news.CommentsMode(mode)
	if !st.CommentMode.Valid() || mode == "" {
		return fmt.Errorf("unknown comment mode %q", mode)
	}
	return s.SaveSettings(ctx, st.ToMap())
}

// articles lists published article ids through the site's JSON feed.
func articles(base string) ([]int64, error) {
	res, err := http.Get(base + "/feeds/feed.json")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var feed struct {
		Items []struct{ URL string } `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&feed); err != nil {
		return nil, fmt.Errorf("read the JSON feed: %w", err)
	}
	var ids []int64
	for _, it := range feed.Items {
		rest := it.URL[strings.Index(it.URL, "/news/")+len("/news/"):]
		id, err := strconv.ParseInt(strings.SplitN(rest, "/", 2)[0], 10, 64)
		if err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no articles in %s/feeds/feed.json", base)
	}
	return ids, nil
}

type tally struct {
	accepted, limited, refused, failed, errs atomic.Int64
}

func load(base string, workers int, d, fill time.Duration, out string) error {
	ids, err := articles(base)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	var (
		mu sync.Mutex
		w  = bufio.NewWriter(f)
		t  tally
		wg sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; time.Now().Before(deadline); k++ {
				// Every post comes from its own address, as from 200 people
				// on different networks, so the per-address limit stays out
				// of the way of the write path being measured.
				ip := net.IPv4(127, byte(1+i/250), byte(i%250), byte(2+k%250))
				article := ids[(i+k)%len(ids)]
				body := fmt.Sprintf("تعليق اختبار الحمل رقم %d من المعلّق %d على الخبر %d", k, i, article)
				id, status, err := post(base, ip, article, body, fill)
				switch {
				case err != nil:
					t.errs.Add(1)
				case status == http.StatusCreated:
					t.accepted.Add(1)
					mu.Lock()
					fmt.Fprintf(w, "%d\t%s\n", id, body)
					mu.Unlock()
				case status == http.StatusTooManyRequests:
					t.limited.Add(1)
				case status >= 500:
					t.failed.Add(1)
				default:
					t.refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("comments: accepted %d, rate-limited %d, refused %d, 5xx %d, network errors %d (%d commenters, %s)\n",
		t.accepted.Load(), t.limited.Load(), t.refused.Load(), t.failed.Load(), t.errs.Load(), workers, d)
	if t.failed.Load() > 0 {
		return fmt.Errorf("%d posts answered 5xx", t.failed.Load())
	}
	return nil
}

func post(base string, ip net.IP, article int64, body string, fill time.Duration) (int64, int, error) {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 5 * time.Second}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true}}
	api := base + "/api/v1/articles/" + strconv.FormatInt(article, 10) + "/comments"
	res, err := client.Get(api + "/token")
	if err != nil {
		return 0, 0, err
	}
	var tok struct{ Token string }
	err = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if err != nil {
		return 0, res.StatusCode, fmt.Errorf("token: %w", err)
	}
	time.Sleep(fill)
	payload, _ := json.Marshal(map[string]any{"name": "قارئ " + ip.String(), "body": body, "token": tok.Token})
	res, err = client.Post(api, "application/json", bytes.NewReader(payload))
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	var r struct{ ID int64 }
	b, _ := io.ReadAll(res.Body)
	json.Unmarshal(b, &r)
	return r.ID, res.StatusCode, nil
}

func check(dir, in string) error {
	s, err := store.OpenSQLite(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, missing := 0, 0
	for sc.Scan() {
		idText, body, _ := strings.Cut(sc.Text(), "\t")
		id, _ := strconv.ParseInt(idText, 10, 64)
		n++
		c, err := s.GetComment(context.Background(), id)
		if err != nil || c.Body != body {
			missing++
			fmt.Fprintf(os.Stderr, "accepted comment %d is missing or changed: %v\n", id, err)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Printf("verified: %d accepted comments, %d missing\n", n, missing)
	if missing > 0 {
		return fmt.Errorf("%d accepted comments are not in the database", missing)
	}
	return nil
}
