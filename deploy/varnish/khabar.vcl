# Varnish 7 in front of Khabar nodes (see docs/SCALING.md).
#
# Khabar marks what may be cached: public pages carry Cache-Control
# (max-age from --page-max-age; s-maxage from --cdn-max-age when the
# nodes purge this Varnish), an ETag, "Vary: Accept-Encoding" and a
# Surrogate-Key header naming what the page shows (article:12, home,
# section:3...). This VCL keeps those pages, tags each with its keys through
# the xkey vmod, and lets a trusted sender purge by key:
#   curl -X PURGE -H 'xkey-purge: article:12 home' http://varnish/
#   curl -X PURGE -H 'xkey-softpurge: section:3' http://varnish/
# Everything private (the newsroom, the API, live streams, signed-in
# requests, anything but GET and HEAD) goes to a node every time.
#
# Backends and the purge ACL live in nodes.vcl, the one file to edit.
vcl 4.1;

import directors;
import std;
import xkey;

include "./nodes.vcl";

sub vcl_recv {
    # Only Varnish says whether a request passed; a client cannot.
    unset req.http.X-Khabar-Pass;
    set req.backend_hint = nodes.backend();
    # Past its TTL a page is served stale for the few seconds a background
    # refresh takes, or as long as its grace (vcl_backend_response) while
    # no node answers.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            set req.http.X-Khabar-Purged = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            set req.http.X-Khabar-Purged = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "Send the keys in xkey-purge or xkey-softpurge"));
        }
        return (synth(200, "Purged " + req.http.X-Khabar-Purged));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The newsroom, the API, live streams (SSE), probes and metrics are
    # answered by a node every time.
    if (req.url ~ "^/(admin|api|live|metrics|healthz|readyz|alerts|comments/notices)(/|\?|$)") {
        return (pass);
    }
    # A signed-in editor may see what readers do not (and the sign-in code
    # cookie belongs to the newsroom).
    if (req.http.Cookie ~ "(^|;\s*)(khabar_session|khabar_signin)=" || req.http.Authorization) {
        return (pass);
    }
    # The public site reads no cookie: analytics cookies on the domain
    # must not split the cache or make every page a pass.
    unset req.http.Cookie;

    # Khabar serves br, gzip or identity, precompressed. Keep one cached
    # variant per encoding it would choose (br before gzip, as it does).
    # Varnish's own gzip handling rewrites Accept-Encoding to gzip after
    # vcl_recv, so the choice is kept apart and restored on the way to
    # the node (vcl_backend_fetch).
    if (req.http.Accept-Encoding ~ "(?i)\bbr\b(?!\s*;\s*q=0(\.0*)?\s*(,|$))") {
        set req.http.X-Khabar-AE = "br";
    } elsif (req.http.Accept-Encoding ~ "(?i)\b(x-)?gzip\b(?!\s*;\s*q=0(\.0*)?\s*(,|$))") {
        set req.http.X-Khabar-AE = "gzip";
    } else {
        unset req.http.X-Khabar-AE;
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.Host) {
        hash_data(req.http.Host);
    } else {
        hash_data(server.ip);
    }
    if (req.http.X-Khabar-AE) {
        hash_data(req.http.X-Khabar-AE);
    }
    return (lookup);
}

sub vcl_pass {
    set req.http.X-Khabar-Pass = "1";
}

sub vcl_backend_fetch {
    if (bereq.http.X-Khabar-AE) {
        set bereq.http.Accept-Encoding = bereq.http.X-Khabar-AE;
    } elsif (bereq.uncacheable) {
        # A pass keeps the client's own Accept-Encoding.
    } else {
        unset bereq.http.Accept-Encoding;
    }
    if (bereq.url ~ "^/live(/|\?|$)") {
        # A live stream is quiet between keep-alives; do not cut it.
        set bereq.between_bytes_timeout = 1h;
    }
}

sub vcl_backend_response {
    # The keys the page depends on, for xkey.purge.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Key;
    }
    # The cached variant is already chosen by X-Khabar-AE (vcl_hash);
    # varying on the rewritten Accept-Encoding would never match.
    if (beresp.http.Vary ~ "(?i)accept-encoding") {
        set beresp.http.Vary = regsuball(beresp.http.Vary, "(?i)accept-encoding", "X-Khabar-AE");
    }
    if (bereq.url ~ "^/live(/|\?|$)") {
        # Server-sent events: every event to the reader as it comes.
        set beresp.do_stream = true;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Serve a stale page for a while if every node is down (Khabar says
    # stale-if-error=86400; Varnish applies it through grace).
    set beresp.grace = 24h;
}

sub vcl_backend_error {
    # A node that went away between two health probes (stopped, crashed,
    # restarting) refuses the connection: ask the next node rather than
    # answer 503, for what is safe to ask twice. The round-robin director
    # picks again on each try.
    if ((bereq.method == "GET" || bereq.method == "HEAD") && bereq.retries < 2) {
        return (retry);
    }
}

sub vcl_deliver {
    if (req.http.X-Khabar-Pass) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Readers and caches downstream see Khabar's own Vary (Varnish adds
    # Accept-Encoding itself to a gzipped object's).
    if (resp.http.Vary ~ "(?i)accept-encoding") {
        set resp.http.Vary = regsuball(resp.http.Vary, "\s*X-Khabar-AE\s*(,\s*)?", "");
        set resp.http.Vary = regsub(resp.http.Vary, ",\s*$", "");
    } elsif (resp.http.Vary) {
        set resp.http.Vary = regsuball(resp.http.Vary, "X-Khabar-AE", "Accept-Encoding");
    }
    # A page kept by s-maxage (the nodes purge it as it changes) is as
    # fresh as the node's own: the browser's max-age counts from now,
    # not from when Varnish fetched it hours ago, which would make every
    # browser ask again on every visit.
    if (resp.http.Cache-Control ~ "s-maxage" && obj.hits > 0) {
        set resp.http.Age = "0";
    }
    # Keys are for purging, not for readers.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
}
