package web

import "testing"

func TestSafeNextKeepsOnlySameOriginPaths(t *testing.T) {
	ok := []string{
		"/", "/account", "/account/patents/import", "/search?q=%E4%B8%93%E5%88%A9&page=2",
		"/patents/CN202310001234.5", "/walls/pudong?lang=en", "/a%20b", "/contracts/1#pay",
	}
	for _, next := range ok {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
	hostile := []string{
		"", "account", "//evil.example/x", "///evil.example", "/\\evil.example", "\\\\evil.example",
		"/\t/evil.example/x", "/%09/evil.example/x", "/%0a/evil.example", "/%0d%0a/evil.example",
		"/\n/evil.example", "/\r/evil.example", "/%2F/evil.example/x", "/%2f/evil.example", "/%5C/evil.example",
		"/%5cevil.example", "/x\\y", "/%252F/evil.example", "/%25%30%39/evil.example", "/%2509/evil.example",
		"/%00/x", "/x%00", "/%7F", "/\u202e/x", "/%E2%80%AE/x", "/%EF%BC%8F/evil.example", "/\uff0f/evil.example",
		"/\uff3cevil.example", "/%EF%BC%BCevil.example", "https://evil.example/", "http:/evil.example",
		"javascript:alert(1)", " /x", "/ x", "/x\x7f", "/%zz", "/%E2%80%8B/x", "//", "/\\",
	}
	for _, next := range hostile {
		if got := safeNext(next); got != "" {
			t.Errorf("safeNext(%q) = %q, want it refused", next, got)
		}
	}
}
