package arabic

import (
	_ "embed"
	"strings"
)

// stopwordsFile is Lucene's ArabicAnalyzer stop-word list
// (lucene/analysis/common/src/resources/org/apache/lucene/analysis/ar/stopwords.txt),
// created by Jacques Savoy and distributed under the BSD license (see its
// header), shipped inside Apache-2.0 Lucene, Lucene.NET and Bleve. It is a
// byte-for-byte copy of shared/data/arabic-stopwords.txt, which was taken
// from apache/lucenenet src/Lucene.Net.Analysis.Common/Analysis/Ar/stopwords.txt
// at commit 2cde8b5e9f84ec5f8f4428cd979693093c45c74f (provenance in
// shared/data/SOURCES.md). It is embedded: nothing is read at run time.
//
//go:embed stopwords.txt
var stopwordsFile string

// stopwords holds every word of the list as lightNormalize leaves it: the
// list spells out the variants it means (أن and ان, إلى and الى), and no
// more, so «علي» is a name and not «على».
var stopwords = func() map[string]struct{} {
	set := make(map[string]struct{})
	for line := range strings.Lines(stopwordsFile) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if w := lightNormalize(line); w != "" {
			set[w] = struct{}{}
		}
	}
	return set
}()

// IsStopword reports whether a word, as lightNormalize leaves it, is a
// stop word.
func IsStopword(word string) bool {
	_, ok := stopwords[word]
	return ok
}
