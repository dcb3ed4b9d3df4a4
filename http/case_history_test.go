package http_test

import (
	"fmt"
	"net/http"
	"testing"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// mustAcceptedCase is a submitted and accepted enterprise change whose
// registration item the market department has started.
func mustAcceptedCase(tb testing.TB, ts *testServer) string {
	tb.Helper()
	caseID := mustSubmit(tb, ts, "history")
	for _, s := range []step{acceptCase, startItem} {
		if res := ts.Do(tb, fill(tb, ts, s, s.who, caseID, "enterprise_change", "")); res.Status != http.StatusOK {
			tb.Fatalf("%s: %d %s", s.path, res.Status, res.Body)
		}
	}
	return caseID
}

func TestTimelineShowsEachRoleWhatItMaySee(t *testing.T) {
	ts := MustServer(t)
	caseID := mustAcceptedCase(t, ts)
	tax := officer("tax")
	tests := []struct {
		name       string
		who        caseledgerhttp.Principal
		wantTypes  string
		wantPerson bool
	}{
		{"the applicant sees every step, not who took it", applicant,
			"[CaseSubmitted CasePrechecked CaseAccepted ItemDispatched ItemAccepted]", false},
		{"the supervisor sees who took each step", supervisor,
			"[CaseSubmitted CasePrechecked CaseAccepted ItemDispatched ItemAccepted]", true},
		{"another department sees the case-wide steps only", tax,
			"[CaseSubmitted CasePrechecked CaseAccepted]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases/" + caseID + "/timeline", Token: ts.Token(t, tt.who)})
			if res.Status != http.StatusOK {
				t.Fatalf("status = %d: %s", res.Status, res.Body)
			}
			var types []string
			person := false
			for _, e := range res.JSON(t)["entries"].([]any) {
				m := e.(map[string]any)
				types = append(types, m["type"].(string))
				_, has := m["person"]
				person = person || has
			}
			if got, want := fmt.Sprint(types), tt.wantTypes; got != want {
				t.Errorf("types = %s, want %s", got, want)
			}
			if got, want := person, tt.wantPerson; got != want {
				t.Errorf("shows persons = %v, want %v", got, want)
			}
		})
	}
}

func TestTimelinePagesWithACursor(t *testing.T) {
	ts := MustServer(t)
	caseID := mustAcceptedCase(t, ts)
	tok := ts.Token(t, applicant)
	var versions []float64
	path := "/v1/cases/" + caseID + "/timeline?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		body := ts.Do(t, request{Method: http.MethodGet, Path: path, Token: tok}).JSON(t)
		for _, e := range body["entries"].([]any) {
			versions = append(versions, e.(map[string]any)["version"].(float64))
		}
		path = ""
		if next, ok := body["next_cursor"].(string); ok {
			path = "/v1/cases/" + caseID + "/timeline?limit=2&cursor=" + next
		}
	}
	if got, want := fmt.Sprint(versions), "[0 1 2 3 4]"; got != want {
		t.Errorf("versions = %s, want %s", got, want)
	}
}

func TestDiffBetweenTwoVersions(t *testing.T) {
	ts := MustServer(t)
	caseID := mustAcceptedCase(t, ts)
	tok := ts.Token(t, window)
	tests := []struct {
		name             string
		query            string
		wantStatus       int
		wantFrom, wantTo string
		wantEntries      int
	}{
		{"from the pre-check to now", "?from=1", 200, "submitted", "accepted", 3},
		{"one version to itself", "?from=2&to=2", 200, "accepted", "accepted", 0},
		{"from after to", "?from=3&to=1", 400, "", "", 0},
		{"a version beyond the case", "?to=99", 400, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases/" + caseID + "/diff" + tt.query, Token: tok})
			if got, want := res.Status, tt.wantStatus; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			if tt.wantStatus != http.StatusOK {
				return
			}
			body := res.JSON(t)
			if got, want := body["from"].(map[string]any)["status"], tt.wantFrom; got != want {
				t.Errorf("from status = %v, want %v", got, want)
			}
			if got, want := body["to"].(map[string]any)["status"], tt.wantTo; got != want {
				t.Errorf("to status = %v, want %v", got, want)
			}
			if got, want := len(body["entries"].([]any)), tt.wantEntries; got != want {
				t.Errorf("entries = %d, want %d", got, want)
			}
		})
	}
}
