package web

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// trickle is a request body of `left` bytes, sent at most `size` at a
// time, one send every `every`.
type trickle struct {
	left, size int
	every      time.Duration
	begun      bool
}

func (b *trickle) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	if b.begun {
		time.Sleep(b.every)
	}
	b.begun = true
	n := min(len(p), b.size, b.left)
	for i := range n {
		p[i] = 'x'
	}
	b.left -= n
	return n, nil
}

// slowServer serves a handler that reads the whole body through
// AllowSlowBody on a real server with a one-second ReadTimeout, and
// reports what it read. Half-way through it works for `busy` without
// reading, as the newsroom does checking one file of a batch or waiting
// its turn to decode it.
func slowServer(t *testing.T, busy time.Duration) (*httptest.Server, chan error) {
	t.Helper()
	read := make(chan error, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AllowSlowBody(w, r)
		n, err := io.CopyN(io.Discard, r.Body, r.ContentLength/2)
		if err == nil {
			time.Sleep(busy)
			var m int64
			m, err = io.Copy(io.Discard, r.Body)
			n += m
		}
		if err == nil && n != r.ContentLength {
			err = fmt.Errorf("read %d bytes of %d", n, r.ContentLength)
		}
		read <- err
		if err == nil {
			io.WriteString(w, strconv.FormatInt(n, 10))
		}
	}))
	srv.Config.ReadTimeout = time.Second
	srv.Config.WriteTimeout = time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, read
}

// TestAllowSlowBody: a body that keeps arriving above MinUploadRate is
// taken however long it takes (three times the server's ReadTimeout
// here), and so is one the handler leaves waiting while it works; one
// that stops is still cut after about ReadTimeout.
func TestAllowSlowBody(t *testing.T) {
	for _, c := range []struct {
		name         string
		chunks, size int
		every, busy  time.Duration
	}{
		// 40 KB/s, twice the floor, for three seconds.
		{"trickle", 30, 4 << 10, 100 * time.Millisecond, 0},
		// All at once, but the handler takes three seconds over the
		// first half.
		{"handler busy", 2, 64 << 10, 0, 3 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) { testSlowBody(t, c.chunks, c.size, c.every, c.busy) })
	}
	t.Run("stall", func(t *testing.T) {
		srv, read := slowServer(t, 0)

		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// Half a body, then nothing: the connection stays open.
		fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n%s", strings.Repeat("x", 50000))
		start := time.Now()
		select {
		case err := <-read:
			var ne net.Error
			if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("a stalled body ended with %v, want a timeout", err)
			}
			// In hand: 1 s, plus 50000 bytes at 20 KB/s, at most 1 s.
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("a stalled body was cut after %v", took)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a body that stopped arriving was not cut within 30 s")
		}
	})
}

func testSlowBody(t *testing.T, chunks, size int, every, busy time.Duration) {
	srv, read := slowServer(t, busy)
	length := chunks * size
	body := &trickle{left: length, size: size, every: every}
	req, err := http.NewRequest("POST", srv.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(length)
	start := time.Now()
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("the body was cut after %v: %v", time.Since(start).Round(time.Millisecond), err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(got) != strconv.Itoa(length) {
		t.Errorf("answer %d %q after %v", res.StatusCode, got, time.Since(start))
	}
	if err := <-read; err != nil {
		t.Errorf("handler: %v", err)
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("the body took %v: not slower than the server's ReadTimeout, so this proves nothing", took)
	}
}
