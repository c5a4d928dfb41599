package locale

import (
	"fmt"
	"strconv"
	"strings"
)

// sizeUnits are the binary units a byte count is written in, largest
// first, with their catalogue keys.
var sizeUnits = []struct {
	shift uint
	key   string
}{{30, "size_gib"}, {20, "size_mib"}, {10, "size_kib"}}

// Size writes a byte count as people read it: «١٫٥ ميغابايت», "1.5 MiB",
// one decimal in the largest unit it reaches.
func (c *Catalog) Size(n int64, d Digits) string {
	for _, u := range sizeUnits {
		if n >= 1<<u.shift {
			v := strconv.FormatFloat(float64(n)/float64(int64(1)<<u.shift), 'f', 1, 64)
			if d == DigitsArabic {
				v = strings.Replace(v, ".", "٫", 1)
			}
			return fmt.Sprintf(c.T(u.key), d.Convert(v))
		}
	}
	return fmt.Sprintf(c.T("size_bytes"), d.Convert(strconv.FormatInt(n, 10)))
}
