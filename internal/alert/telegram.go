package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"khabar/internal/outbound"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// ErrRejectedToken means Telegram refused the bot token: the operator has
// to set a new one (from @BotFather); no retry will help.
var ErrRejectedToken = errors.New("telegram rejected the bot token")

// TelegramAPI is the Bot API's address.
const TelegramAPI = "https://api.telegram.org"

var (
	botToken = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$`)
	// A channel is @name (5 to 32 characters) or a numeric chat id.
	chatID = regexp.MustCompile(`^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?[0-9]{1,20})$`)
)

// TelegramConfig configures a Telegram sender.
type TelegramConfig struct {
	Token   string
	BaseURL string       // TelegramAPI when empty; tests point it at their server
	Client  *http.Client // outbound.Guard{}.Client(nil) when nil
}

// Telegram posts alerts to channels through the Bot API's sendMessage. The
// bot must be an administrator of the channel.
type Telegram struct {
	endpoint string // base/bot<token>/sendMessage: a secret, never logged
	client   *http.Client
}

// NewTelegram checks cfg and returns a sender.
func NewTelegram(cfg TelegramConfig) (*Telegram, error) {
	if !botToken.MatchString(cfg.Token) {
		return nil, errors.New("telegram: the bot token is malformed (expected digits, a colon and the secret, as @BotFather gives it)")
	}
	base := cfg.BaseURL
	if base == "" {
		base = TelegramAPI
	}
	if !webURL(base) {
		return nil, fmt.Errorf("telegram: base URL %q is not an http(s) URL", base)
	}
	if cfg.Client == nil {
		cfg.Client = outbound.Guard{}.Client(nil)
	}
	return &Telegram{endpoint: strings.TrimSuffix(base, "/") + "/bot" + cfg.Token + "/sendMessage", client: cfg.Client}, nil
}

// TelegramText is the message as Telegram's HTML parse mode reads it:
// the title in bold, the text, and the link last, where Telegram shows its
// preview.
func TelegramText(a *Alert) string {
	var b strings.Builder
	b.WriteString("<b>")
	b.WriteString(html.EscapeString(a.Title))
	b.WriteString("</b>\n\n")
	if a.Text != "" {
		b.WriteString(html.EscapeString(a.Text))
		b.WriteString("\n\n")
	}
	b.WriteString(html.EscapeString(a.URL))
	return b.String()
}

// telegramReply is the Bot API's answer envelope.
type telegramReply struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// Send posts the alert to chat, a channel's @username or numeric id.
func (t *Telegram) Send(ctx context.Context, a *Alert, chat string) error {
	fail := func(status int, err error) error {
		return &Error{Channel: "telegram", Outcome: Failed, Status: status, Err: err}
	}
	if err := a.Validate(); err != nil {
		return fail(0, err)
	}
	if !chatID.MatchString(chat) {
		return fail(0, fmt.Errorf("chat %q is neither @channelname nor a numeric id", chat))
	}
	body, err := json.Marshal(map[string]any{
		"chat_id":              chat,
		"text":                 TelegramText(a),
		"parse_mode":           "HTML",
		"link_preview_options": map[string]string{"url": a.URL},
	})
	if err != nil {
		return fail(0, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, bytes.NewReader(body))
	if err != nil {
		return fail(0, errors.New("build request"))
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := t.client.Do(req)
	if err != nil {
		return transportError("telegram", err)
	}
	data := readBody(res.Body)
	var reply telegramReply
	if err := json.Unmarshal(data, &reply); err != nil {
		// Not the Bot API speaking (a proxy's error page): judge by status.
		if err := classifyStatus("telegram", res, data, false); err != nil {
			return err
		}
		return fail(res.StatusCode, fmt.Errorf("unreadable answer: %w", err))
	}
	if reply.OK {
		return nil
	}
	code := reply.ErrorCode
	if code == 0 {
		code = res.StatusCode
	}
	e := &Error{Channel: "telegram", Outcome: Failed, Status: code, Err: fmt.Errorf("telegram answered %d %s", code, reply.Description)}
	switch {
	case code == http.StatusUnauthorized, code == http.StatusNotFound:
		// The Bot API answers 404 to a token it does not know.
		e.Err = fmt.Errorf("%w (%d %s)", ErrRejectedToken, code, reply.Description)
	case code == http.StatusTooManyRequests, code >= 500:
		e.Outcome = Retry
		e.RetryAfter = time.Duration(reply.Parameters.RetryAfter) * time.Second
		if e.RetryAfter <= 0 {
			e.RetryAfter, _ = ParseRetryAfter(res.Header.Get("Retry-After"), time.Now())
		}
		e.RetryAfter = min(e.RetryAfter, maxRetryAfter)
	}
	return e
}
