package http_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// mustSeedCase records n events in a new case of region, the first shaped
// like a submission; it returns the case ID.
func mustSeedCase(tb testing.TB, store eventstore.Store, region string, n int) uuid.UUID {
	tb.Helper()
	id := uuid.New()
	events := make([]eventstore.EventData, n)
	for i := range events {
		events[i] = eventstore.EventData{ID: uuid.New(), Type: "Noted", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
	}
	events[0].Type = "CaseSubmitted"
	events[0].Data = json.RawMessage(fmt.Sprintf(`{"case_id":%q,"region":%q}`, id, region))
	if _, err := store.Append(context.Background(), "case-"+id.String(), eventstore.NoStream, events...); err != nil {
		tb.Fatal(err)
	}
	return id
}

func TestCaseEventsPagesThroughTheRawLog(t *testing.T) {
	ts := MustServer(t)
	id := mustSeedCase(t, ts.Store, "442000", 5)
	tok := ts.Token(t, supervisor)
	var versions []float64
	path := "/v1/cases/" + id.String() + "/events?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		res := ts.Do(t, request{Method: http.MethodGet, Path: path, Token: tok})
		if got, want := res.Status, http.StatusOK; got != want {
			t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
		}
		body := res.JSON(t)
		for _, e := range body["events"].([]any) {
			versions = append(versions, e.(map[string]any)["version"].(float64))
		}
		path = ""
		if next, ok := body["next_cursor"].(string); ok {
			path = "/v1/cases/" + id.String() + "/events?limit=2&cursor=" + next
		}
	}
	if got, want := fmt.Sprint(versions), "[0 1 2 3 4]"; got != want {
		t.Errorf("versions = %s, want %s", got, want)
	}
}

func TestCaseEventsCarryTheChainHash(t *testing.T) {
	ts := MustServer(t)
	id := mustSeedCase(t, ts.Store, "442000", 1)
	res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases/" + id.String() + "/events", Token: ts.Token(t, admin)})
	recorded, err := ts.Store.ReadStream(context.Background(), "case-"+id.String(), eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := res.JSON(t)["events"].([]any)[0].(map[string]any)["hash"]
	if want := hex.EncodeToString(recorded[0].Hash[:]); got != want {
		t.Errorf("hash = %v, want %v", got, want)
	}
}

func TestCaseEventsAreForAuditorsOfTheCasesRegion(t *testing.T) {
	ts := MustServer(t)
	id := mustSeedCase(t, ts.Store, "442000101", 1)
	tests := []struct {
		name string
		tok  string
		path string
		want int
	}{
		{"supervisor of the region", ts.Token(t, supervisor), "/v1/cases/" + id.String() + "/events", http.StatusOK},
		{"admin", ts.Token(t, admin), "/v1/cases/" + id.String() + "/events", http.StatusOK},
		{"supervisor of another region sees no such case", ts.Token(t, foreignSup), "/v1/cases/" + id.String() + "/events", http.StatusNotFound},
		{"applicant is refused", ts.Token(t, applicant), "/v1/cases/" + id.String() + "/events", http.StatusForbidden},
		{"analyst is refused", ts.Token(t, analyst), "/v1/cases/" + id.String() + "/events", http.StatusForbidden},
		{"unknown case", ts.Token(t, admin), "/v1/cases/" + uuid.NewString() + "/events", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: tt.path, Token: tt.tok})
			if got, want := res.Status, tt.want; got != want {
				t.Errorf("status = %d, want %d: %s", got, want, res.Body)
			}
		})
	}
}
