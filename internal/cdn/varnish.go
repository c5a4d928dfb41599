package cdn

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// varnish purges by xkey (deploy/varnish/khabar.vcl): a PURGE request
// with the keys, space-separated, in xkey-purge or xkey-softpurge, sent
// to every Varnish, each of which keeps its own cache.
type varnish struct {
	urls   []string
	soft   bool
	client *http.Client
}

func (v *varnish) Name() string { return Varnish }

// MaxKeys keeps the header well under Varnish's 8 KB request-header
// limit (http_req_hdr_len) with keys of up to 60 bytes.
func (v *varnish) MaxKeys() int { return 100 }

func (v *varnish) Purge(ctx context.Context, keys []string) error {
	header := "xkey-purge"
	if v.soft {
		header = "xkey-softpurge"
	}
	for _, u := range v.urls {
		req, err := http.NewRequestWithContext(ctx, "PURGE", strings.TrimSuffix(u, "/")+"/", nil)
		if err != nil {
			return fmt.Errorf("varnish %s: %w", u, err)
		}
		req.Header.Set(header, strings.Join(keys, " "))
		if _, err := send(v.client, req); err != nil {
			return fmt.Errorf("varnish %s: %w", u, err)
		}
	}
	return nil
}
