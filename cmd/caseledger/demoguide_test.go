package main_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// curlWords splits the printed curl lines the way a shell would: they use
// single and double quotes without escapes inside.
var curlWords = regexp.MustCompile(`'[^']*'|"[^"]*"|\S+`)

// unquote removes a word's outer quotes only, as a shell does: 'If-Match: "7"'
// keeps its double quotes.
func unquote(w string) string {
	if len(w) > 1 && (w[0] == '\'' || w[0] == '"') && w[len(w)-1] == w[0] {
		return w[1 : len(w)-1]
	}
	return w
}

// curlRequest turns one printed curl command into the request it sends.
func curlRequest(t *testing.T, line string) *http.Request {
	t.Helper()
	words := curlWords.FindAllString(line, -1)
	method, body, target := http.MethodGet, "", ""
	header := http.Header{}
	for i := 1; i < len(words); i++ {
		w := unquote(words[i])
		switch w {
		case "-sS":
		case "-X", "-H", "-d":
			i++
			if i == len(words) {
				t.Fatalf("%s without a value in %q", w, line)
			}
			v := unquote(words[i])
			switch w {
			case "-X":
				method = v
			case "-H":
				name, value, ok := strings.Cut(v, ": ")
				if !ok {
					t.Fatalf("header %q in %q", v, line)
				}
				header.Add(name, value)
			case "-d":
				body = v
			}
		default:
			if target != "" || !strings.HasPrefix(w, "http") {
				t.Fatalf("unexpected word %q in %q", w, line)
			}
			target = w
		}
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	return req
}

// checkDemoExamples runs every curl command the demo printed, in order, and
// requires each to succeed: they are what a newcomer pastes first.
func checkDemoExamples(t *testing.T, out string) {
	t.Helper()
	lines := regexp.MustCompile(`(?m)^  (curl .*)$`).FindAllStringSubmatch(out, -1)
	routes := map[string]bool{}
	for _, l := range lines {
		req := curlRequest(t, l[1])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode/100 != 2 {
			t.Errorf("%s %s = %d %s", req.Method, req.URL.Path, res.StatusCode, body)
		}
		routes[req.Method+" "+routeOf(req.URL.Path)] = true
	}
	for _, want := range []string{"GET /v1/cases/:id", "GET /v1/cases/:id/timeline", "POST /v1/cases/:id/items/:item/steps",
		"GET /v1/items/overdue", "GET /v1/stats"} {
		if !routes[want] {
			t.Errorf("the demo prints no example of %s:\n%s", want, out)
		}
	}
}

// routeOf names the route of a printed path, so the test can tell that
// each kind of example is there.
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	if len(parts) > 3 && parts[2] == "cases" {
		parts[3] = ":id"
	}
	if len(parts) > 5 && parts[4] == "items" {
		parts[5] = ":item"
	}
	return strings.Join(parts, "/")
}
