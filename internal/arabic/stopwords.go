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

// stopwords holds the normalised form of every word of the list. The list
// itself is not normalised (it has both أن and ان), so the set is smaller
// than the file.
var stopwords = func() map[string]struct{} {
	set := make(map[string]struct{})
	for line := range strings.Lines(stopwordsFile) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if w := Normalize(line); w != "" {
			set[w] = struct{}{}
		}
	}
	return set
}()

// IsStopword reports whether a normalised word is a stop word.
func IsStopword(word string) bool {
	_, ok := stopwords[word]
	return ok
}
