// Command bare is the benchmark's floor for Go: a plain net/http handler
// writing one page's bytes (and their gzip) from memory, with nothing else.
// bench/pages.sh runs it beside khabar and nginx, so "a cache hit adds
// nothing measurable on top of the standard library" can be checked.
//
// Usage: bare -addr 127.0.0.1:PORT -url URL (the page is fetched once).
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	src := flag.String("url", "", "page to copy")
	flag.Parse()
	req, err := http.NewRequest("GET", *src, nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	plainLen, gzLen := strconv.Itoa(len(body)), strconv.Itoa(gz.Len())
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Vary", "Accept-Encoding")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			h.Set("Content-Length", gzLen)
			w.Write(gz.Bytes())
			return
		}
		h.Set("Content-Length", plainLen)
		w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
