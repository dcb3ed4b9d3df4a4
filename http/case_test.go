package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

var (
	window = caseledgerhttp.Principal{Subject: "acct-window-00001", Role: caseledgerhttp.RoleWindow, Unit: "zs-centre", Region: "442000"}
	market = caseledgerhttp.Principal{Subject: "acct-market-00001", Role: caseledgerhttp.RoleDepartment, Unit: "market", Region: "442000"}
	other  = caseledgerhttp.Principal{Subject: "acct-applicant-0002", Role: caseledgerhttp.RoleApplicant}
)

// submitBody is an enterprise change with every applicant material.
const submitBody = `{"bundle_code":"enterprise_change","channel":"web",
 "applicant":{"ref":"acct-applicant-0001","kind":"company","name":"中山市示例有限公司"},
 "region":"442000",
 "provided":["change_application","shareholder_resolution","articles_amendment","legal_rep_id_card"]}`

// mustSubmit submits a case as the applicant and returns its ID.
func mustSubmit(tb testing.TB, ts *testServer, key string) string {
	tb.Helper()
	res := ts.Do(tb, request{Method: http.MethodPost, Path: "/v1/cases", Token: ts.Token(tb, applicant), Body: submitBody,
		Header: map[string]string{"Idempotency-Key": key}})
	if res.Status != http.StatusCreated {
		tb.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	return res.JSON(tb)["case_id"].(string)
}

func TestSubmitRecordsTheCaseAndItsPrecheck(t *testing.T) {
	ts := MustServer(t)
	res := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases", Token: ts.Token(t, applicant), Body: submitBody})
	if got, want := res.Status, http.StatusCreated; got != want {
		t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
	}
	body := res.JSON(t)
	if got, want := res.Header.Get("Location"), "/v1/cases/"+body["case_id"].(string); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	var types []string
	for _, e := range body["events"].([]any) {
		types = append(types, e.(map[string]any)["type"].(string))
	}
	if got, want := strings.Join(types, ","), "CaseSubmitted,CasePrechecked"; got != want {
		t.Errorf("events = %s, want %s", got, want)
	}
	if got, want := res.Header.Get("ETag"), `"1"`; got != want {
		t.Errorf("ETag = %s, want %s", got, want)
	}
}

func TestARetryWithTheSameIdempotencyKeyReturnsTheFirstResponse(t *testing.T) {
	ts := MustServer(t)
	first := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases", Token: ts.Token(t, applicant), Body: submitBody,
		Header: map[string]string{"Idempotency-Key": "submit-1"}})
	again := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases", Token: ts.Token(t, applicant), Body: submitBody,
		Header: map[string]string{"Idempotency-Key": "submit-1"}})
	if got, want := again.Status, first.Status; got != want {
		t.Fatalf("retry status = %d, want %d: %s", got, want, again.Body)
	}
	f, a := first.JSON(t), again.JSON(t)
	for _, k := range []string{"case_id", "version", "position"} {
		if got, want := a[k], f[k]; got != want {
			t.Errorf("retry %s = %v, want %v", k, got, want)
		}
	}
	if got, want := a["replayed"], true; got != want {
		t.Errorf("retry replayed = %v, want %v", got, want)
	}
	head, err := ts.Store.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := head, uint64(2); got != want {
		t.Errorf("log head = %d, want %d (the retry recorded nothing)", got, want)
	}
}

func TestCommandsOnACase(t *testing.T) {
	ts := MustServer(t)
	caseID := mustSubmit(t, ts, "k1")
	foreign := mustSubmit(t, ts, "k2")
	accept := `{"acceptance_number":"ZS-2026-0001"}`
	tests := []struct {
		name       string
		who        caseledgerhttp.Principal
		path, body string
		header     map[string]string
		wantStatus int
		wantCode   string
	}{
		{"another applicant's case is not found", other, "/v1/cases/" + caseID + "/withdraw", `{"reason":"x"}`, nil, 404, "not_found"},
		{"analysts do not act on cases", analyst, "/v1/cases/" + caseID + "/accept", accept, nil, 403, "forbidden"},
		{"a stale If-Match is refused with the current version", window, "/v1/cases/" + caseID + "/accept", accept, map[string]string{"If-Match": `"0"`}, 412, "stale"},
		{"If-Match on an unknown case is not found", window, "/v1/cases/" + uuid.NewString() + "/accept", accept, map[string]string{"If-Match": `"0"`}, 404, "not_found"},
		{"a malformed If-Match is invalid", window, "/v1/cases/" + caseID + "/accept", accept, map[string]string{"If-Match": "yesterday"}, 400, "invalid"},
		{"window officer accepts at the current version", window, "/v1/cases/" + caseID + "/accept", accept, map[string]string{"If-Match": `"1"`}, 200, ""},
		{"accepting twice breaks a rule", window, "/v1/cases/" + caseID + "/accept", accept, nil, 409, "conflict"},
		{"an unknown enum value is invalid", market, "/v1/cases/" + caseID + "/items/registration_change/decide", `{"outcome":"maybe"}`, nil, 400, "invalid"},
		{"the department starts its item", market, "/v1/cases/" + caseID + "/items/registration_change/accept", `{}`, nil, 200, ""},
		{"unknown request fields are invalid", market, "/v1/cases/" + caseID + "/items/registration_change/steps", `{"step":"承办","action":"通过","mood":"good"}`, nil, 400, "invalid"},
		{"the department approves", market, "/v1/cases/" + caseID + "/items/registration_change/decide", `{"outcome":"approved","opinion":"材料齐全，准予变更"}`, nil, 200, ""},
		{"a department officer of another department is refused", market, "/v1/cases/" + caseID + "/items/tax_update/accept", `{}`, nil, 403, "forbidden"},
		{"the other case is untouched and withdrawable by its applicant", applicant, "/v1/cases/" + foreign + "/withdraw", `{"reason":"changed my mind"}`, nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodPost, Path: tt.path, Token: ts.Token(t, tt.who), Body: tt.body, Header: tt.header})
			if got, want := res.Status, tt.wantStatus; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			if tt.wantCode != "" {
				if got, want := res.JSON(t)["code"], tt.wantCode; got != want {
					t.Errorf("code = %v, want %v", got, want)
				}
			}
			if tt.wantStatus == http.StatusPreconditionFailed {
				if got, want := res.JSON(t)["current_version"], float64(1); got != want {
					t.Errorf("current_version = %v, want %v", got, want)
				}
			}
		})
	}
}

func TestACaseCanBeReadAsItWasAtAVersionOrTime(t *testing.T) {
	ts := MustServer(t)
	caseID := mustSubmit(t, ts, "asof")
	res := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases/" + caseID + "/accept", Token: ts.Token(t, window), Body: `{"acceptance_number":"ZS-1"}`})
	if res.Status != http.StatusOK {
		t.Fatalf("accept: %d %s", res.Status, res.Body)
	}
	tok := ts.Token(t, applicant)
	tests := []struct {
		name       string
		query      string
		wantStatus int
		wantCase   string
	}{
		{"now", "", 200, "accepted"},
		{"after the pre-check", "?version=1", 200, "submitted"},
		{"a version beyond the head is now", "?version=99", 200, "accepted"},
		{"a time after everything", "?as_of=2999-01-01T00:00:00Z", 200, "accepted"},
		{"a time before the case", "?as_of=2000-01-01T00:00:00%2B08:00", 404, ""},
		{"both at once", "?version=1&as_of=2999-01-01T00:00:00Z", 400, ""},
		{"a malformed time", "?as_of=yesterday", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases/" + caseID + tt.query, Token: tok})
			if got, want := res.Status, tt.wantStatus; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			if tt.wantCase != "" {
				if got, want := res.JSON(t)["status"], tt.wantCase; got != want {
					t.Errorf("case status = %v, want %v", got, want)
				}
			}
		})
	}
}
