# nodes.vcl for compose.yaml: the two Khabar containers, and purges from
# the compose network (where the nodes, and the purging consumer to come,
# live). Replaces deploy/varnish/nodes.vcl in the Varnish container.

probe khabar_alive {
    .url = "/healthz";
    .interval = 5s;
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
}

backend node1 {
    .host = "khabar1";
    .port = "8080";
    .probe = khabar_alive;
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

backend node2 {
    .host = "khabar2";
    .port = "8080";
    .probe = khabar_alive;
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

sub vcl_init {
    new nodes = directors.round_robin();
    nodes.add_backend(node1);
    nodes.add_backend(node2);
}

acl purgers {
    "127.0.0.1";
    "::1";
    "172.28.0.0"/24;
}
