package apptest

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// Main runs a package's end-to-end tests parallel at a time unless
// -parallel says otherwise: each spends most of its time waiting on a
// browser, a socket or a job, so even two cores keep busy with several
// (and -parallel's default, GOMAXPROCS, leaves them idle on such a
// machine).
func Main(m *testing.M, parallel int) {
	flag.Parse()
	if f := flag.Lookup("test.parallel"); f != nil && !isSet("test.parallel") {
		f.Value.Set(strconv.Itoa(parallel))
	}
	os.Exit(m.Run())
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
