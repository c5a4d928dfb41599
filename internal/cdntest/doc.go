// Package cdntest runs deploy/varnish/khabar.vcl in a real varnishd in
// front of real Khabar nodes (its tests; see docs/SCALING.md).
package cdntest
