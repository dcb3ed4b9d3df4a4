package http_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// listIDs asks GET /v1/cases as who and returns the case IDs of the page
// and its next cursor.
func listIDs(tb testing.TB, ts *testServer, who caseledgerhttp.Principal, query string) (ids []string, next string) {
	tb.Helper()
	res := ts.Do(tb, request{Method: http.MethodGet, Path: "/v1/cases" + query, Token: ts.Token(tb, who)})
	if res.Status != http.StatusOK {
		tb.Fatalf("GET /v1/cases%s as %s: %d %s", query, who.Role, res.Status, res.Body)
	}
	body := res.JSON(tb)
	for _, c := range body["cases"].([]any) {
		ids = append(ids, c.(map[string]any)["case_id"].(string))
	}
	next, _ = body["next_cursor"].(string)
	return ids, next
}

// mustCommand runs a command as who and returns the log position of its
// response, for min_position.
func mustCommand(tb testing.TB, ts *testServer, who caseledgerhttp.Principal, path, body string) string {
	tb.Helper()
	res := ts.Do(tb, request{Method: http.MethodPost, Path: path, Token: ts.Token(tb, who), Body: body})
	if res.Status >= 300 {
		tb.Fatalf("POST %s: %d %s", path, res.Status, res.Body)
	}
	return fmt.Sprint(res.JSON(tb)["position"])
}

func TestCaseListShowsEachCallerTheirCases(t *testing.T) {
	ts := MustServer(t, withViews(t))
	mine := mustSubmit(t, ts, "list-mine")
	theirs := mustCreate(t, ts, other, strings.ReplaceAll(submitFor(t, "enterprise_change"), applicant.Subject, other.Subject))
	after := "?min_position=" + mustCommand(t, ts, window, "/v1/cases/"+mine+"/accept", `{"acceptance_number":"ZS-31"}`)
	tests := []struct {
		name  string
		who   caseledgerhttp.Principal
		query string
		want  []string
	}{
		{"the applicant sees their own case only", applicant, after, []string{mine}},
		{"the other applicant sees theirs only", other, after, []string{theirs}},
		{"an applicant with no case gets an empty list", caseledgerhttp.Principal{Subject: "acct-applicant-0003", Role: caseledgerhttp.RoleApplicant}, after, nil},
		{"the applicant may filter by status", applicant, after + "&status=submitted", nil},
		{"the region's window officer sees both, accepted before submitted", window, after, []string{mine, theirs}},
		{"the region's supervisor filters by status", supervisor, after + "&status=submitted", []string{theirs}},
		{"a department of the bundle sees both", market, after, []string{mine, theirs}},
		{"a department outside the bundle sees none", officer("police"), after, nil},
		{"another region's supervisor sees none", foreignSup, after, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, _ := listIDs(t, ts, tt.who, tt.query)
			if got, want := ids, tt.want; !slices.Equal(got, want) {
				t.Errorf("cases = %v, want %v", got, want)
			}
		})
	}
}

func TestAnEmptyCaseListIsAnEmptyArray(t *testing.T) {
	ts := MustServer(t, withViews(t))
	res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases", Token: ts.Token(t, applicant)})
	if got, want := string(res.Body), `"cases":[]`; !strings.Contains(got, want) {
		t.Errorf("body = %s, want it to contain %s", got, want)
	}
}

func TestCaseListPagesWithACursor(t *testing.T) {
	ts := MustServer(t, withViews(t))
	var want []string
	var position string
	for i := range 3 {
		res := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases", Token: ts.Token(t, applicant), Body: submitBody,
			Header: map[string]string{"Idempotency-Key": fmt.Sprint("page-", i)}})
		if res.Status != http.StatusCreated {
			t.Fatalf("submit: %d %s", res.Status, res.Body)
		}
		body := res.JSON(t)
		want, position = append(want, body["case_id"].(string)), fmt.Sprint(body["position"])
	}
	slices.Sort(want)
	tests := []struct {
		name string
		who  caseledgerhttp.Principal
	}{
		{"the applicant's list", applicant},
		{"the region's list", window},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			query := "?limit=2&min_position=" + position
			for pages := 0; ; pages++ {
				if pages == 2 {
					t.Fatalf("a third page for 3 cases at 2 a page, after %v", got)
				}
				ids, next := listIDs(t, ts, tt.who, query)
				if len(ids) > 2 {
					t.Fatalf("page of %d cases, want at most 2", len(ids))
				}
				got = append(got, ids...)
				if next == "" {
					break
				}
				query = "?limit=2&cursor=" + next
			}
			slices.Sort(got)
			if got, want := fmt.Sprint(got), fmt.Sprint(want); got != want {
				t.Errorf("cases over all pages = %s, want %s", got, want)
			}
		})
	}
}

func TestCaseListRefusesBadQueriesNamingEachField(t *testing.T) {
	ts := MustServer(t, withViews(t))
	tests := []struct {
		name       string
		who        caseledgerhttp.Principal
		query      string
		wantFields string
	}{
		{"limit zero", applicant, "?limit=0", "[limit]"},
		{"limit above the maximum", window, "?limit=201", "[limit]"},
		{"limit not a number", window, "?limit=ten", "[limit]"},
		{"unknown status", window, "?status=pending", "[status]"},
		{"unknown status for an applicant", applicant, "?status=pending", "[status]"},
		{"several at once", supervisor, "?status=x&limit=-1&min_position=y", "[status limit min_position]"},
		{"a cursor that is not one", window, "?cursor=%21%21", "[cursor]"},
		{"another list's cursor", applicant, "?cursor=" + "cmVnaW9uLzQ0MjAwMC9h", "[cursor]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases" + tt.query, Token: ts.Token(t, tt.who)})
			if got, want := res.Status, http.StatusBadRequest; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			var fields []string
			for _, f := range res.JSON(t)["fields"].([]any) {
				fields = append(fields, f.(map[string]any)["field"].(string))
			}
			if got, want := fmt.Sprint(fields), tt.wantFields; got != want {
				t.Errorf("fields = %s, want %s", got, want)
			}
		})
	}
}

func TestCaseListWithoutReadModelsIsUnavailable(t *testing.T) {
	ts := MustServer(t)
	res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases", Token: ts.Token(t, applicant)})
	if got, want := res.Status, http.StatusServiceUnavailable; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
}
