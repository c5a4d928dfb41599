package alert_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/alert"
	"khabar/internal/outbound"
)

const botToken = "123456789:AAH-fake_token_for_tests_0123456789ab"

// fakeBotAPI answers sendMessage as the Bot API does: only for the right
// token and path, with the JSON envelope, and with whatever reply the test
// sets.
type fakeBotAPI struct {
	mu     sync.Mutex
	posts  []map[string]any
	status int
	reply  string
}

func (f *fakeBotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path != "/bot"+botToken+"/sendMessage" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	var body map[string]any
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}`)
		return
	}
	f.mu.Lock()
	f.posts = append(f.posts, body)
	status, reply := f.status, f.reply
	f.mu.Unlock()
	if status == 0 {
		status, reply = http.StatusOK, `{"ok":true,"result":{"message_id":1}}`
	}
	w.WriteHeader(status)
	fmt.Fprint(w, reply)
}

func TestTelegram(t *testing.T) {
	api := &fakeBotAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	client := outbound.Guard{AllowPrivate: true}.Client(nil)
	tg, err := alert.NewTelegram(alert.TelegramConfig{Token: botToken, BaseURL: srv.URL, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	a := breaking()
	a.Text = "أسعار <الوقود> & الخبز"
	if err := tg.Send(t.Context(), a, "@khabar_news"); err != nil {
		t.Fatal(err)
	}
	post := api.posts[0]
	if post["chat_id"] != "@khabar_news" || post["parse_mode"] != "HTML" || post["text"] != alert.TelegramText(a) {
		t.Errorf("posted %v", post)
	}
	if !strings.Contains(post["text"].(string), "&lt;الوقود&gt; &amp; الخبز") || !strings.HasSuffix(post["text"].(string), a.URL) {
		t.Errorf("text is not escaped HTML ending with the link: %q", post["text"])
	}
	if lp, _ := post["link_preview_options"].(map[string]any); lp["url"] != a.URL {
		t.Errorf("link preview %v", post["link_preview_options"])
	}

	cases := []struct {
		name   string
		status int
		reply  string
		want   alert.Outcome
		is     error
		wait   time.Duration
	}{
		{"flood", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}`, alert.Retry, nil, 35 * time.Second},
		{"server error", 502, `<html>Bad Gateway</html>`, alert.Retry, nil, 0},
		{"telegram down", 500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`, alert.Retry, nil, 0},
		{"not admin", 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot is not a member of the channel chat"}`, alert.Failed, nil, 0},
		{"no chat", 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, alert.Failed, nil, 0},
		{"garbage", 200, `not json`, alert.Failed, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api.mu.Lock()
			api.status, api.reply = c.status, c.reply
			api.mu.Unlock()
			err := tg.Send(t.Context(), breaking(), "-1001234567890")
			e, ok := errors.AsType[*alert.Error](err)
			if !ok || e.Outcome != c.want || e.RetryAfter != c.wait || e.Channel != "telegram" {
				t.Fatalf("Send = %v", err)
			}
		})
	}

	// A token Telegram does not know: a clear, permanent error that does
	// not print the token.
	bad, err := alert.NewTelegram(alert.TelegramConfig{Token: "987654321:AAthis_token_was_revoked_long_ago_xx", BaseURL: srv.URL, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	err = bad.Send(t.Context(), breaking(), "@khabar_news")
	if alert.OutcomeOf(err) != alert.Failed || !errors.Is(err, alert.ErrRejectedToken) || strings.Contains(err.Error(), "AAthis") {
		t.Fatalf("rejected token: %v", err)
	}

	// Nor does a network failure print it (the request URL holds it).
	srv.Close()
	err = tg.Send(t.Context(), breaking(), "@khabar_news")
	if alert.OutcomeOf(err) != alert.Retry || strings.Contains(err.Error(), "AAH-fake") {
		t.Fatalf("Telegram unreachable: %v", err)
	}
}

func TestTelegramBadInput(t *testing.T) {
	for _, token := range []string{"", "123", "abc:def", "123456789:short", "123:" + strings.Repeat("a", 30) + "/../x"} {
		if _, err := alert.NewTelegram(alert.TelegramConfig{Token: token}); err == nil {
			t.Errorf("token %q accepted", token)
		}
	}
	if _, err := alert.NewTelegram(alert.TelegramConfig{Token: botToken, BaseURL: "file:///etc"}); err == nil {
		t.Error("a file: base URL was accepted")
	}
	tg, err := alert.NewTelegram(alert.TelegramConfig{Token: botToken})
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.Send(t.Context(), &alert.Alert{Title: "<b>", URL: "/relative"}, "@khabar_news"); alert.OutcomeOf(err) != alert.Failed {
		t.Errorf("invalid alert: %v", err)
	}
	for _, chat := range []string{"", "@ab", "khabar", "@bad name", "-100x"} {
		if err := tg.Send(t.Context(), breaking(), chat); alert.OutcomeOf(err) != alert.Failed {
			t.Errorf("chat %q: %v", chat, err)
		}
	}
}
