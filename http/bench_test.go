package http_test

import (
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

// BenchmarkGetCase measures a status query, folded from the case's stream.
func BenchmarkGetCase(b *testing.B) {
	ts := MustServer(b)
	caseID := mustSubmit(b, ts, "bench")
	tok := ts.Token(b, applicant)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, "/v1/cases/"+caseID, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			ts.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				b.Fatalf("get: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
