package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkSubmit measures a command end to end through the wired server:
// auth, binding, load-decide-save with an fsynced append, response.
func BenchmarkSubmit(b *testing.B) {
	ts := MustServer(b)
	tok := ts.Token(b, applicant)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodPost, "/v1/cases", strings.NewReader(submitBody))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			ts.ServeHTTP(rec, r)
			if rec.Code != http.StatusCreated {
				b.Fatalf("submit: %d %s", rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkGetCase measures a status query from the case-status read model
// (the owner check reads the case's first event).
func BenchmarkGetCase(b *testing.B) {
	benchmarkGet(b, "", withViews(b))
}

// BenchmarkGetCaseFolded measures a status query on a server without read
// models, which folds the case's stream: the path of version and as_of.
func BenchmarkGetCaseFolded(b *testing.B) {
	benchmarkGet(b, "")
}

// BenchmarkTimeline measures a timeline page from the timeline read model.
func BenchmarkTimeline(b *testing.B) {
	benchmarkGet(b, "/timeline", withViews(b))
}

// benchmarkGet measures GET /v1/cases/{id}<route> of an accepted case by
// its applicant, each request with the same token, as a client sends them.
func benchmarkGet(b *testing.B, route string, opts ...serverOption) {
	ts := MustServer(b, opts...)
	caseID := mustSubmit(b, ts, "bench")
	last := mustSteps(b, ts, caseID, "enterprise_change", acceptCase, startItem)
	path := fmt.Sprintf("/v1/cases/%s%s?min_position=%d", caseID, route, last)
	tok := ts.Token(b, applicant)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			ts.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				b.Fatalf("get: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
