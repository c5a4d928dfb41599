package api

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/storetest"
)

// BenchmarkWriteArticle times an agency script's round through the
// handler: POST /api/v1/articles with an Idempotency-Key, a PATCH with
// If-Match, then publish; p50 and p95 of each are logged.
//
//	go test -run x -bench WriteArticle -benchtime 200x ./internal/api/
func BenchmarkWriteArticle(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			s := be.Open(b)
			fx := storetest.Seed(b, s)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			mux := http.NewServeMux()
			New(Options{Store: s, Auth: auth.NewService(s, log), Base: "http://khabar.test", Log: log, WriteBurst: 1 << 30}).Routes(mux)
			u, _ := storetest.Staff(b, s, auth.RoleEditor)
			token := "Bearer " + storetest.APIToken(b, s, u)
			body := `{"headline": "خبر الوكالة %d", "lead": "مقدمة", "section_id": ` + strconv.FormatInt(fx.Sections[0].ID, 10) +
				`, "author_ids": [` + strconv.FormatInt(fx.Authors[0].ID, 10) + `], "tags": ["انتخابات", "بيروت"],
				"blocks": [{"type": "paragraph", "text": "فقرة <strong>أولى</strong> من نص الخبر"}, {"type": "paragraph", "text": "فقرة ثانية"}]}`
			do := func(method, path, body string, want int, hdr ...string) (*httptest.ResponseRecorder, time.Duration) {
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				req.Header.Set("Authorization", token)
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				for i := 0; i+1 < len(hdr); i += 2 {
					req.Header.Set(hdr[i], hdr[i+1])
				}
				w := httptest.NewRecorder()
				t0 := time.Now()
				mux.ServeHTTP(w, req)
				took := time.Since(t0)
				if w.Code != want {
					b.Fatalf("%s %s: %d %.300s", method, path, w.Code, w.Body.String())
				}
				return w, took
			}
			took := map[string][]time.Duration{}
			i := 0
			b.ResetTimer()
			for b.Loop() {
				i++
				w, d := do("POST", "/api/v1/articles", fmt.Sprintf(body, i), 201, "Idempotency-Key", "bench-"+strconv.Itoa(i))
				took["create"] = append(took["create"], d)
				path := strings.TrimPrefix(w.Header().Get("Location"), "http://khabar.test")
				w, d = do("PATCH", path, `{"kicker": "عاجل"}`, 200, "If-Match", w.Header().Get("ETag"))
				took["patch"] = append(took["patch"], d)
				_, d = do("POST", path+"/publish", "", 200, "If-Match", w.Header().Get("ETag"))
				took["publish"] = append(took["publish"], d)
			}
			b.StopTimer()
			for _, kind := range []string{"create", "patch", "publish"} {
				b.Logf("%s: p50 %.1f ms, p95 %.1f ms", kind, storetest.Percentile(took[kind], 0.5), storetest.Percentile(took[kind], 0.95))
			}
		})
	}
}
