package render

import "testing"

func FuzzChooseEncoding(f *testing.F) {
	for _, s := range []string{"gzip, br", "br;q=0", "gzip;q=0.0, identity", ";;,,", "br;q=", "x;q=1e309"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e := chooseEncoding([]string{s}); e < encIdentity || e > encBrotli {
			t.Fatalf("chooseEncoding(%q) = %d", s, e)
		}
	})
}
