package http_test

import (
	"strings"
	"testing"
)

func TestEveryRouteIsInTheOpenAPIDocument(t *testing.T) {
	ts := MustServer(t)
	for _, r := range ts.Routes() {
		method, path, _ := strings.Cut(r, " ")
		if method == "echo_route_not_found" || strings.HasSuffix(path, "/*") {
			continue // echo's internal catch-alls, not routes of the API
		}
		t.Run(r, func(t *testing.T) {
			item := ts.doc.Paths.Find(path)
			if item == nil {
				t.Fatalf("path %s is not documented", path)
			}
			if op := item.GetOperation(method); op == nil {
				t.Fatalf("%s %s is not documented", method, path)
			}
		})
	}
}

func TestEveryDocumentedOperationIsARoute(t *testing.T) {
	ts := MustServer(t)
	routes := map[string]bool{}
	for _, r := range ts.Routes() {
		routes[r] = true
	}
	for path, item := range ts.doc.Paths.Map() {
		for method := range item.Operations() {
			if got, want := routes[method+" "+path], true; got != want {
				t.Errorf("%s %s is documented but not routed", method, path)
			}
		}
	}
}

func TestTheDocumentIsOpenAPI31(t *testing.T) {
	ts := MustServer(t)
	if got, want := ts.doc.OpenAPI, "3.1.0"; got != want {
		t.Errorf("openapi = %q, want %q", got, want)
	}
	if !ts.doc.IsOpenAPI31OrLater() {
		t.Errorf("kin-openapi does not treat the document as 3.1, so it would not validate with JSON Schema 2020-12")
	}
}
