package http_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

func TestErrorsAreProblemDetailsWithAStableCode(t *testing.T) {
	ts := MustServer(t)
	adminTok := ts.Token(t, admin)
	caseID := mustSeedCase(t, ts.Store, "442000", 1).String()
	tests := []struct {
		name       string
		req        request
		wantStatus int
		wantCode   string
		wantField  string
		wantDetail string
	}{
		{name: "unknown route", req: request{Method: http.MethodGet, Path: "/v1/nowhere", Token: adminTok, Undocumented: true}, wantStatus: 404, wantCode: "not_found"},
		{name: "unknown route under a role-restricted prefix", req: request{Method: http.MethodGet, Path: "/v1/admin/nowhere", Token: ts.Token(t, applicant), Undocumented: true}, wantStatus: 404, wantCode: "not_found"},
		{name: "unknown route without a token", req: request{Method: http.MethodGet, Path: "/v1/nowhere", Undocumented: true}, wantStatus: 401, wantCode: "unauthorized"},
		{name: "method not allowed", req: request{Method: http.MethodDelete, Path: "/healthz", Undocumented: true}, wantStatus: 405, wantCode: "invalid"},
		{name: "malformed case ID", req: request{Method: http.MethodGet, Path: "/v1/cases/123/events", Token: adminTok}, wantStatus: 400, wantCode: "invalid", wantField: "id"},
		{name: "upper-case case ID", req: request{Method: http.MethodGet, Path: "/v1/cases/" + strings.ToUpper(caseID) + "/events", Token: adminTok}, wantStatus: 400, wantCode: "invalid", wantField: "id"},
		{name: "limit out of range", req: request{Method: http.MethodGet, Path: "/v1/cases/" + caseID + "/events?limit=0", Token: adminTok}, wantStatus: 400, wantCode: "invalid", wantField: "limit"},
		{name: "forged cursor", req: request{Method: http.MethodGet, Path: "/v1/cases/" + caseID + "/events?cursor=zzz", Token: adminTok}, wantStatus: 400, wantCode: "invalid", wantField: "cursor"},
		{name: "unknown field", req: request{Method: http.MethodPost, Path: "/v1/admin/backup", Token: adminTok, Body: `{"dir":"/tmp/x","force":true}`}, wantStatus: 400, wantCode: "invalid", wantField: "force"},
		{name: "wrong JSON type", req: request{Method: http.MethodPost, Path: "/v1/admin/backup", Token: adminTok, Body: `{"dir":42}`}, wantStatus: 400, wantCode: "invalid", wantField: "dir", wantDetail: "must be a JSON string"},
		{name: "malformed JSON", req: request{Method: http.MethodPost, Path: "/v1/admin/backup", Token: adminTok, Body: `{"dir":`}, wantStatus: 400, wantCode: "invalid", wantDetail: "not valid JSON"},
		{name: "trailing data", req: request{Method: http.MethodPost, Path: "/v1/admin/backup", Token: adminTok, Body: `{"dir":"/tmp/x"} {}`}, wantStatus: 400, wantCode: "invalid", wantDetail: "exactly one JSON object"},
		{name: "oversized body", req: request{Method: http.MethodPost, Path: "/v1/admin/backup", Token: adminTok, Body: `{"dir":"` + strings.Repeat("a", 70<<10) + `"}`}, wantStatus: 400, wantCode: "invalid", wantDetail: "too large"},
		{name: "relative backup dir", req: request{Method: http.MethodPost, Path: "/v1/admin/backup", Token: adminTok, Body: `{"dir":"backup"}`}, wantStatus: 400, wantCode: "invalid", wantField: "dir"},
		{name: "role not allowed", req: request{Method: http.MethodPost, Path: "/v1/admin/backup", Token: ts.Token(t, supervisor), Body: `{"dir":"/tmp/x"}`}, wantStatus: 403, wantCode: "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, tt.req)
			if got, want := res.Status, tt.wantStatus; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			if got, want := res.Header.Get("Content-Type"), "application/problem+json"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			p := res.JSON(t)
			if got, want := p["code"], tt.wantCode; got != want {
				t.Errorf("code = %v, want %v", got, want)
			}
			if got, want := p["type"], "urn:caseledger:problem:"+tt.wantCode; got != want {
				t.Errorf("type = %v, want %v", got, want)
			}
			if got, want := p["status"], float64(tt.wantStatus); got != want {
				t.Errorf("status member = %v, want %v", got, want)
			}
			if tt.wantField != "" {
				fields, _ := p["fields"].([]any)
				if len(fields) == 0 || fields[0].(map[string]any)["field"] != tt.wantField {
					t.Errorf("fields = %v, want the first to be %q", p["fields"], tt.wantField)
				}
			}
			if !strings.Contains(p["detail"].(string), tt.wantDetail) {
				t.Errorf("detail = %q, want it to contain %q", p["detail"], tt.wantDetail)
			}
		})
	}
}

// failingStore fails reads with an error that names internals.
type failingStore struct{ eventstore.Store }

func (failingStore) ReadStream(context.Context, string, eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	return nil, errors.New("pebble: corrupt sstable /var/lib/caseledger/000042.sst")
}

func TestInternalErrorsAreLoggedButNeverShown(t *testing.T) {
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ts := mustServerOn(t, failingStore{store})
	res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases/0b6f3c2e-4d1a-4e07-9c55-0a1e6f2b7d10/events", Token: ts.Token(t, admin)})
	if got, want := res.Status, http.StatusInternalServerError; got != want {
		t.Fatalf("status = %d, want %d", got, want)
	}
	p := res.JSON(t)
	if got, want := p["detail"], "internal error"; got != want {
		t.Errorf("detail = %v, want %v", got, want)
	}
	if strings.Contains(string(res.Body), "sstable") {
		t.Errorf("the response leaks internals: %s", res.Body)
	}
	logs := ts.Log.String()
	if !strings.Contains(logs, "sstable") || !strings.Contains(logs, p["request_id"].(string)) {
		t.Errorf("the log lacks the cause or the request ID: %s", logs)
	}
}
