package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"khabar/internal/alert"
	"khabar/internal/config"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/store"
)

// alerting is the alert channels as configured.
type alerting struct {
	fanout *alert.Fanout
	tokens *alert.Tokens // signs e-mail confirm and unsubscribe links
	pubKey string        // VAPID public key
}

// emailLinkLife is how long confirm and unsubscribe links work.
const emailLinkLife = 365 * 24 * time.Hour

// newAlerting sets up the channels: Web Push always (its VAPID keys are
// made on first start and kept in the database, shared by every node),
// Telegram, e-mail and webhooks when configured.
func newAlerting(ctx context.Context, cfg config.Config, s *store.Store, base string, cat *locale.Catalog, guard outbound.Guard, log *slog.Logger) (*alerting, error) {
	private, err := s.Secret(ctx, "vapid_private_key", func() (string, error) {
		k, err := alert.GenerateVAPIDKeys()
		if err != nil {
			return "", err
		}
		return k.PrivateKey(), nil
	})
	if err != nil {
		return nil, err
	}
	keys, err := alert.ParseVAPIDKeys(private)
	if err != nil {
		return nil, fmt.Errorf("stored VAPID key: %w", err)
	}
	rawKey, err := s.Key(ctx, "email_link_key")
	if err != nil {
		return nil, err
	}
	tokens, err := alert.NewTokens(rawKey)
	if err != nil {
		return nil, err
	}
	subject := cfg.VAPIDSubject
	if subject == "" {
		subject = "mailto:webmaster@localhost"
		if strings.HasPrefix(base, "https://") {
			subject = base
		}
	}
	push, err := alert.NewWebPush(alert.WebPushConfig{Keys: keys, Subject: subject, Client: guard.Client(nil)})
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	f := &alert.Fanout{Store: s, Push: push, Lang: cat.Lang, Owner: alert.Owner(host, os.Getpid()), Log: log, Metrics: alert.NewMetrics(),
		ArticleURL: func(a *news.Article) string { return base + news.ArticlePath(a) }}
	if cfg.TelegramToken != "" {
		if f.Telegram, err = alert.NewTelegram(alert.TelegramConfig{Token: cfg.TelegramToken, BaseURL: cfg.TelegramAPI, Client: guard.Client(nil)}); err != nil {
			return nil, err
		}
		f.TelegramChat = cfg.TelegramChat
	}
	if cfg.SMTPAddr != "" {
		f.Email, err = alert.NewEmail(alert.EmailConfig{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUser, Password: cfg.SMTPPassword,
			Texts: func() alert.EmailTexts {
				return alert.EmailTexts{ReadMore: cat.T("email_read_more"), Unsubscribe: cat.T("email_unsubscribe")}
			}})
		if err != nil {
			return nil, err
		}
		f.EmailUnsubscribe = func(email string) string {
			return base + "/alerts/unsubscribe?t=" + tokens.Make(email, "unsubscribe", time.Now().Add(emailLinkLife))
		}
	}
	if cfg.Webhooks != "" {
		f.Webhook = alert.NewWebhook(guard.Client(nil))
		for _, u := range strings.Fields(cfg.Webhooks) {
			f.Webhooks = append(f.Webhooks, alert.WebhookTarget{URL: u, Secret: cfg.WebhookSecret})
		}
	}
	return &alerting{fanout: f, tokens: tokens, pubKey: keys.PublicKey()}, nil
}
