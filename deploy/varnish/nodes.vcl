# What differs from one site to the next: the Khabar nodes and who may purge.
# khabar.vcl includes this file; edit it (or mount your own in its place)
# and leave khabar.vcl as it is.
#
# One backend per node, all in the round-robin director "nodes". To add a
# node, copy a backend block, give it a new name and address, and add it
# in vcl_init; to take one out, remove both. Then reload without a restart:
#   varnishadm vcl.load k$(date +%s) /etc/varnish/khabar.vcl && varnishadm vcl.use k...
# A node that fails its probe (/healthz) is skipped until it answers again.

probe khabar_alive {
    .url = "/healthz";
    .interval = 5s;
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
}

backend node1 {
    .host = "127.0.0.1";
    .port = "8081";
    .probe = khabar_alive;
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

backend node2 {
    .host = "127.0.0.1";
    .port = "8082";
    .probe = khabar_alive;
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

sub vcl_init {
    new nodes = directors.round_robin();
    nodes.add_backend(node1);
    nodes.add_backend(node2);
}

# Who may send PURGE (the event consumer that purges by surrogate key runs
# on the nodes: list their addresses, or the network they are on).
acl purgers {
    "127.0.0.1";
    "::1";
}
