package cdn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// cloudflare purges by cache tag through Cloudflare's API: POST
// /zones/{zone_id}/purge_cache with {"tags": […]} and a Bearer API
// token. Pages carry their tags in Cache-Tag when Cloudflare is the CDN
// (render.Cache.CacheTags). Cloudflare has no soft purge.
type cloudflare struct {
	api, zone, token string
	client           *http.Client
}

func (c *cloudflare) Name() string { return Cloudflare }

// MaxKeys is Cloudflare's limit of operations (tags) per purge request,
// on every plan.
func (c *cloudflare) MaxKeys() int { return 100 }

func (c *cloudflare) Purge(ctx context.Context, keys []string) error {
	body, err := json.Marshal(struct {
		Tags []string `json:"tags"`
	}{keys})
	if err != nil {
		return fmt.Errorf("cloudflare: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api+"/zones/"+url.PathEscape(c.zone)+"/purge_cache", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("cloudflare: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	answer, err := send(c.client, req)
	if err != nil {
		return fmt.Errorf("cloudflare purge of %d tags: %w", len(keys), err)
	}
	var res struct {
		Success bool `json:"success"`
		Errors  []struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(answer, &res); err != nil {
		return fmt.Errorf("cloudflare purge: the answer is not Cloudflare's envelope: %w", err)
	}
	if !res.Success {
		var msgs []string
		for _, e := range res.Errors {
			msgs = append(msgs, fmt.Sprintf("%d %s", e.Code, e.Message))
		}
		return fmt.Errorf("cloudflare purge refused: %s", strings.Join(msgs, "; "))
	}
	return nil
}
