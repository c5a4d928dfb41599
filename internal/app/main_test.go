package app_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets four end-to-end tests run at once unless -parallel says
// otherwise: each spends most of its time waiting on a browser, a socket
// or a job, so even two cores keep busy with four (and -parallel's
// default, GOMAXPROCS, leaves them idle on such a machine).
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.parallel"); f != nil && !isSet("test.parallel") {
		f.Value.Set("4")
	}
	os.Exit(m.Run())
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
