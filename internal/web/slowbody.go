package web

import (
	"io"
	"net/http"
	"time"
)

// MinUploadRate is the slowest a large body may arrive on average, in
// bytes a second: a 3 MB photo from a reporter on a poor mobile
// connection (60 KB/s) takes 50 s, more than any whole-request timeout a
// server facing the open internet can afford.
const MinUploadRate = 20 << 10

// AllowSlowBody lets r's body take as long as it keeps arriving, for
// routes that take uploads. The server's ReadTimeout, which covers
// headers and body together, would cut a large body on a slow link, so
// its clock is replaced by one that runs only while the handler waits for
// bytes: the body has the server's ReadTimeout to begin with, earns
// 1/MinUploadRate s for each byte that arrives, and never holds more than
// ReadTimeout in hand. A body that stalls for longer than ReadTimeout, or
// trickles in below the rate, is still cut; time the handler spends
// elsewhere (checking one file of a batch, waiting its turn to decode it)
// costs the client nothing. The response keeps the server's WriteTimeout,
// counted from the last byte read.
//
// Call it after the request is authenticated, so only accounts that may
// upload get the patient clock; without a ReadTimeout there is no clock
// to replace.
func AllowSlowBody(w http.ResponseWriter, r *http.Request) {
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if srv == nil || srv.ReadTimeout <= 0 || r.Body == nil || r.Body == http.NoBody {
		return
	}
	r.Body = &slowBody{ReadCloser: r.Body, rc: http.NewResponseController(w),
		stall: srv.ReadTimeout, write: srv.WriteTimeout, left: srv.ReadTimeout}
}

type slowBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	stall time.Duration // the most time in hand
	write time.Duration // the server's WriteTimeout, or 0
	left  time.Duration // time in hand for the next bytes
}

func (b *slowBody) Read(p []byte) (int, error) {
	start := time.Now()
	deadline := start.Add(b.left)
	// Deadlines are best effort: a connection that cannot take them
	// (ErrNotSupported) keeps the server's own.
	b.rc.SetReadDeadline(deadline)
	if b.write > 0 {
		b.rc.SetWriteDeadline(deadline.Add(b.write))
	}
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		// The body is over or broken. Once it is over the server reads
		// on in the background to notice a client that goes away, and an
		// expired deadline there would cancel the request while its last
		// file is still being checked.
		b.rc.SetReadDeadline(time.Time{})
		if b.write > 0 {
			b.rc.SetWriteDeadline(time.Now().Add(b.write))
		}
	}
	b.left = min(b.stall, b.left-time.Since(start)+time.Duration(n)*time.Second/MinUploadRate)
	return n, err
}
