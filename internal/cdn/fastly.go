package cdn

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// fastly purges by surrogate key through Fastly's API: one batch purge,
// POST /service/{service_id}/purge with the keys in a Surrogate-Key
// header, the token in Fastly-Key, and Fastly-Soft-Purge: 1 to mark
// objects stale rather than drop them. Fastly answers with a purge id
// per key.
type fastly struct {
	api, service, token string
	soft                bool
	client              *http.Client
}

func (f *fastly) Name() string { return Fastly }

// MaxKeys is Fastly's limit for one batch purge.
func (f *fastly) MaxKeys() int { return 256 }

func (f *fastly) Purge(ctx context.Context, keys []string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.api+"/service/"+url.PathEscape(f.service)+"/purge", nil)
	if err != nil {
		return fmt.Errorf("fastly: %w", err)
	}
	req.Header.Set("Fastly-Key", f.token)
	req.Header.Set("Surrogate-Key", strings.Join(keys, " "))
	req.Header.Set("Accept", "application/json")
	if f.soft {
		req.Header.Set("Fastly-Soft-Purge", "1")
	}
	body, err := send(f.client, req)
	if err != nil {
		return fmt.Errorf("fastly purge of %d keys: %w", len(keys), err)
	}
	// {"key": "purge id", …}: a key missing from it was not purged.
	var ids map[string]string
	if err := json.Unmarshal(body, &ids); err != nil {
		return fmt.Errorf("fastly purge: the answer is not the map of purge ids: %w", err)
	}
	for _, k := range keys {
		if _, ok := ids[k]; !ok {
			return fmt.Errorf("fastly purge: no purge id for key %q in the answer", k)
		}
	}
	return nil
}
