package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore/embedded"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// mustSteps runs steps on a case and returns the position of the last.
func mustSteps(tb testing.TB, ts *testServer, caseID, bundle string, steps ...step) uint64 {
	tb.Helper()
	var pos uint64
	for _, s := range steps {
		res := ts.Do(tb, fill(tb, ts, s, s.who, caseID, bundle, ""))
		if res.Status >= 300 {
			tb.Fatalf("%s %s as %s: %d %s", s.method, s.path, s.who.Role, res.Status, res.Body)
		}
		pos = uint64(res.JSON(tb)["position"].(float64))
	}
	return pos
}

func TestTheReadModelsAnswerAsTheCasesEventsDo(t *testing.T) {
	store, err := embedded.Open("/store", embedded.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	// Two servers on one store: one reads the read models, the other,
	// without them, folds each case's events.
	fromViews := mustServerOn(t, store, withViews(t))
	folded := mustServerOn(t, store)

	decided := mustCreate(t, fromViews, applicant, submitFor(t, "enterprise_change"))
	mustSteps(t, fromViews, decided, "enterprise_change", append([]step{acceptCase}, itemDone("market", "registration_change")...)...)
	supplement := mustCreate(t, fromViews, applicant, submitFor(t, "restaurant_opening", "staff_health_certificates"))
	last := mustSteps(t, fromViews, supplement, "restaurant_opening", post(window, "/v1/cases/{id}/supplement-request", "{missing}"))

	for _, caseID := range []string{decided, supplement} {
		for _, who := range []caseledgerhttp.Principal{applicant, other, window, market, officer("tax"), supervisor, admin} {
			t.Run(fmt.Sprintf("%s/%s %s", caseID[:8], who.Role, who.Unit), func(t *testing.T) {
				for _, route := range []string{"", "/timeline"} {
					path := "/v1/cases/" + caseID + route
					got := fromViews.Do(t, request{Method: http.MethodGet, Path: path + fmt.Sprintf("?min_position=%d", last), Token: fromViews.Token(t, who)})
					want := folded.Do(t, request{Method: http.MethodGet, Path: path, Token: folded.Token(t, who)})
					if got.Status != want.Status {
						t.Fatalf("GET %s: status %d from the views, %d folded: %s %s", route, got.Status, want.Status, got.Body, want.Body)
					}
					if got.Status != http.StatusOK {
						return // a case this principal may not see, refused by both
					}
					g, w := got.JSON(t), want.JSON(t)
					if route == "" {
						// The read model answers as of its own position, at or
						// after the case's last event.
						if gp, wp := g["position"].(float64), w["position"].(float64); gp < wp || gp < float64(last) {
							t.Errorf("position = %v, want at least the case's %v and min_position %d", gp, wp, last)
						}
						delete(g, "position")
						delete(w, "position")
					}
					if gb, wb := mustJSON(t, g), mustJSON(t, w); !bytes.Equal(gb, wb) {
						t.Errorf("GET %s from the read model:\n%s\nfolded from the events:\n%s", route, gb, wb)
					}
				}
			})
		}
	}
}

func TestTheStatusListsTheOpenSupplementNoticesMaterials(t *testing.T) {
	ts := MustServer(t, withViews(t))
	caseID := mustCreate(t, ts, applicant, submitFor(t, "restaurant_opening", "staff_health_certificates"))
	last := mustSteps(t, ts, caseID, "restaurant_opening", post(window, "/v1/cases/{id}/supplement-request", "{missing}"))
	res := ts.Do(t, request{Method: http.MethodGet, Path: fmt.Sprintf("/v1/cases/%s?min_position=%d", caseID, last), Token: ts.Token(t, applicant)})
	if res.Status != http.StatusOK {
		t.Fatalf("status = %d: %s", res.Status, res.Body)
	}
	body := res.JSON(t)
	if got, want := body["supplement_open"], true; got != want {
		t.Errorf("supplement_open = %v, want %v", got, want)
	}
	if got, want := fmt.Sprint(body["supplement_missing"]), "[staff_health_certificates]"; got != want {
		t.Errorf("supplement_missing = %s, want %s", got, want)
	}
	if got, want := body["version"], float64(2); got != want {
		t.Errorf("version = %v, want %v", got, want)
	}
}

func TestAMinPositionNotReachedInTimeIsUnavailable(t *testing.T) {
	ts := MustServer(t, withViews(t), func(cfg *caseledgerhttp.Config) { cfg.RequestTimeout = 100 * time.Millisecond })
	caseID := mustSubmit(t, ts, "ahead")
	for _, route := range []string{"", "/timeline"} {
		t.Run("GET "+route, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/cases/" + caseID + route + "?min_position=1000000", Token: ts.Token(t, applicant)})
			if got, want := res.Status, http.StatusServiceUnavailable; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			body := res.JSON(t)
			if got, want := body["code"], "unavailable"; got != want {
				t.Errorf("code = %v, want %v", got, want)
			}
			if got, want := body["rule"], "min_position not reached"; got != want {
				t.Errorf("rule = %v, want %v", got, want)
			}
		})
	}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
