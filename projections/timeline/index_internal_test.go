package timeline

import (
	"net/url"
	"testing"
)

func TestAppendPathEscapedEqualsPathEscape(t *testing.T) {
	for _, s := range []string{
		"", "330102", "DEPT-HR_01", "0194f3a2-7c1d-7e00-8000-00000000abcd", "a.b~c",
		"with/slash", "with space", "100%", "户籍", "a?b#c", "x+y", "é",
	} {
		if got, want := string(appendPathEscaped([]byte("p/"), s)), "p/"+url.PathEscape(s); got != want {
			t.Errorf("appendPathEscaped(%q) = %q, want %q", s, got, want)
		}
	}
}
