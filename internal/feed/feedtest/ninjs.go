package feedtest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// IPTCDir is the shared folder of IPTC schemas and examples
// (../shared/data/iptc beside the repository; see its SOURCES.md).
func IPTCDir() string {
	_, file, _, _ := runtime.Caller(0)
	// file is <repo>/internal/feed/feedtest/ninjs.go.
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "data", "iptc")
}

var ninjsSchemas sync.Map // version → *jsonschema.Schema

// NinjsSchema is IPTC's JSON Schema of ninjs version v ("2.2", "3.1"),
// with formats (uri, date-time) asserted; the test skips when the shared
// folder is absent.
func NinjsSchema(t testing.TB, v string) *jsonschema.Schema {
	t.Helper()
	if s, ok := ninjsSchemas.Load(v); ok {
		return s.(*jsonschema.Schema)
	}
	file := filepath.Join(IPTCDir(), "ninjs", "schemas", "ninjs-schema_"+v+".json")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("ninjs schema not found at %s (the shared data folder, ../shared beside the repository): schema check skipped", file)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// The schemas refer to GeoJSON's for places' geometry, which is on
	// the web; tests run offline, and nothing we write has a geometry, so
	// it stands in as the schema that accepts anything.
	if err := c.AddResource("https://geojson.org/schema/GeoJSON.json", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(file)
	if err != nil {
		t.Fatalf("compile %s: %v", file, err)
	}
	ninjsSchemas.Store(v, s)
	return s
}

// CheckNinjs fails t unless doc is valid ninjs of version v.
func CheckNinjs(t testing.TB, doc []byte, v string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("ninjs %s: not JSON: %v\n%s", v, err, doc)
	}
	if err := NinjsSchema(t, v).Validate(inst); err != nil {
		t.Fatalf("ninjs %s: not valid against IPTC's schema: %v\n%s", v, err, doc)
	}
}
