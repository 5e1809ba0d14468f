package searchtest

import "testing"

// Without the real titles the benchmarks draw their queries from the built-in titles: they must still
// get a vocabulary, not one word asked over and over.
func TestBuiltinVocabulary(t *testing.T) {
	c := Synthesize(nil, 100, 1)
	if len(c.Words) < 40 {
		t.Fatalf("built-in corpus has %d query words (%v), want at least 40", len(c.Words), c.Words)
	}
	seen := map[string]bool{}
	for _, q := range c.Queries(1, 50, 1) {
		seen[q] = true
	}
	if len(seen) < 20 {
		t.Fatalf("50 one-word queries hold %d distinct words, want at least 20", len(seen))
	}
}
