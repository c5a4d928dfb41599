package locale

import "testing"

func TestSize(t *testing.T) {
	ar, en := For("ar"), For("en")
	cases := []struct {
		n               int64
		ar, arLatin, en string
	}{
		{0, "٠ بايت", "0 بايت", "0 bytes"},
		{1023, "١٠٢٣ بايت", "1023 بايت", "1023 bytes"},
		{1024, "١٫٠ كيلوبايت", "1.0 كيلوبايت", "1.0 KiB"},
		{1536 << 10, "١٫٥ ميغابايت", "1.5 ميغابايت", "1.5 MiB"},
		{5 << 30, "٥٫٠ غيغابايت", "5.0 غيغابايت", "5.0 GiB"},
		{3 << 40, "٣٠٧٢٫٠ غيغابايت", "3072.0 غيغابايت", "3072.0 GiB"},
	}
	for _, c := range cases {
		if got := ar.Size(c.n, DigitsArabic); got != c.ar {
			t.Errorf("ar Size(%d) = %q, want %q", c.n, got, c.ar)
		}
		if got := ar.Size(c.n, DigitsLatin); got != c.arLatin {
			t.Errorf("ar Size(%d) in Latin digits = %q, want %q", c.n, got, c.arLatin)
		}
		if got := en.Size(c.n, DigitsLatin); got != c.en {
			t.Errorf("en Size(%d) = %q, want %q", c.n, got, c.en)
		}
	}
}
