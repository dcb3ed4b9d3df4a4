package http_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

func TestOverdueListShowsEachOfficialTheirShare(t *testing.T) {
	ts := MustServer(t, withViews(t))
	caseID := mustSubmit(t, ts, "late")
	res := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases/" + caseID + "/accept", Token: ts.Token(t, window), Body: `{"acceptance_number":"ZS-7"}`})
	if res.Status != http.StatusOK {
		t.Fatalf("accept: %d %s", res.Status, res.Body)
	}
	// The accept's position makes the list wait until the read model has
	// folded it.
	after := fmt.Sprintf("&min_position=%v", res.JSON(t)["position"])
	tests := []struct {
		name      string
		who       caseledgerhttp.Principal
		query     string
		wantItems string
	}{
		{"the department of the item", market, "?on=2026-06-01", "[registration_change]"},
		{"another department", officer("tax"), "?on=2026-06-01", "[]"},
		{"the region's supervisor", supervisor, "?on=2026-06-01", "[registration_change]"},
		{"another region's supervisor, even asking for this region", foreignSup, "?on=2026-06-01&region=442000", "[]"},
		{"nothing is overdue on the day of dispatch", admin, "?on=2026-02-12", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/items/overdue" + tt.query + after, Token: ts.Token(t, tt.who)})
			if res.Status != http.StatusOK {
				t.Fatalf("status = %d: %s", res.Status, res.Body)
			}
			var items []string
			for _, it := range res.JSON(t)["items"].([]any) {
				m := it.(map[string]any)
				if m["case_id"] == caseID {
					items = append(items, m["item"].(string))
				}
			}
			if got, want := fmt.Sprint(items), tt.wantItems; got != want {
				t.Errorf("items = %s, want %s", got, want)
			}
		})
	}
}

func TestListsWithoutReadModelsAreUnavailable(t *testing.T) {
	ts := MustServer(t)
	res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/items/overdue", Token: ts.Token(t, admin)})
	if got, want := res.Status, http.StatusServiceUnavailable; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
}

func TestStatsGroupCompletedWorkWithoutNamingAnyone(t *testing.T) {
	ts := MustServer(t, withViews(t))
	caseID := mustAcceptedCase(t, ts)
	res := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases/" + caseID + "/items/registration_change/decide", Token: ts.Token(t, market),
		Body: `{"outcome":"approved","opinion":"符合条件"}`})
	if res.Status != http.StatusOK {
		t.Fatalf("decide: %d %s", res.Status, res.Body)
	}
	after := fmt.Sprintf("&min_position=%v", res.JSON(t)["position"])
	res = ts.Do(t, request{Method: http.MethodGet, Path: "/v1/stats?by=department" + after, Token: ts.Token(t, analyst)})
	if res.Status != http.StatusOK {
		t.Fatalf("stats: %d %s", res.Status, res.Body)
	}
	var market map[string]any
	for _, g := range res.JSON(t)["groups"].([]any) {
		if m := g.(map[string]any); m["department"] == "market" {
			market = m
		}
	}
	if market == nil {
		t.Fatalf("no market group in %s", res.Body)
	}
	if got, want := market["items_approved"], float64(1); got != want {
		t.Errorf("market items_approved = %v, want %v", got, want)
	}
	for _, secret := range []string{applicant.Subject, window.Subject, "acct-market"} {
		if strings.Contains(string(res.Body), secret) {
			t.Errorf("stats name %s: %s", secret, res.Body)
		}
	}
	csv := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/stats?by=department" + after, Token: ts.Token(t, analyst),
		Header: map[string]string{"Accept": "text/csv"}})
	if !strings.HasPrefix(string(csv.Body), "department,cases,") {
		t.Errorf("CSV starts %.40q, want the header row", csv.Body)
	}
}

func TestADisputeIsForTheSupervisorsOfItsRegion(t *testing.T) {
	ts := MustServer(t, withViews(t))
	caseID := mustAcceptedCase(t, ts)
	res := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases/" + caseID + "/complaints", Token: ts.Token(t, applicant),
		Body: `{"department":"market","summary":"答复不清楚"}`})
	if res.Status != http.StatusOK {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	body := res.JSON(t)
	id := body["events"].([]any)[0].(map[string]any)["id"].(string)
	after := fmt.Sprintf("?min_position=%v", body["position"])
	tests := []struct {
		name string
		who  caseledgerhttp.Principal
		want int
	}{
		{"the region's supervisor", supervisor, http.StatusOK},
		{"another region's supervisor", foreignSup, http.StatusNotFound},
		{"the department complained of", market, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/disputes/" + id + after, Token: ts.Token(t, tt.who)})
			if got, want := res.Status, tt.want; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			if tt.want == http.StatusOK {
				if got, want := res.JSON(t)["dispute"].(map[string]any)["case_id"], caseID; got != want {
					t.Errorf("case_id = %v, want %v", got, want)
				}
			}
		})
	}
	list := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/disputes" + after, Token: ts.Token(t, supervisor)})
	if got, want := len(list.JSON(t)["disputes"].([]any)), 1; got != want {
		t.Errorf("open disputes of the region = %d, want %d", got, want)
	}
}
