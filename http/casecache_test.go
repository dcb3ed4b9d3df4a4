package http_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// cacheActions are the commands the random sequences pick from, on the
// enterprise_change cases of submitBody; many fail on a case in the wrong
// state, which is part of what must agree.
var cacheActions = func() []step {
	steps := []step{
		acceptCase,
		post(market, "/v1/cases/{id}/items/registration_change/steps", `{"step":"承办","action":"通过","opinion":"材料齐全"}`),
		post(market, "/v1/cases/{id}/items/registration_change/suspend", `{"reason":"等待外部核查"}`),
		post(market, "/v1/cases/{id}/items/registration_change/resume", `{}`),
		post(market, "/v1/cases/{id}/items/registration_change/certificate", certificate),
		post(applicant, "/v1/cases/{id}/complaints", `{"department":"market","summary":"答复不清楚"}`),
		post(applicant, "/v1/cases/{id}/rating", `{"label":"满意","channel":"web"}`),
		post(window, "/v1/cases/{id}/deliver", `{"method":"pickup","items":["registration_change"]}`),
		post(supervisor, "/v1/cases/{id}/dubans", `{"item":"registration_change","reason":"临近时限","reference":"DB-1"}`),
		post(other, "/v1/cases/{id}/withdraw", `{"reason":"x"}`),
	}
	for _, it := range [][2]string{{"market", "registration_change"}, {"tax", "tax_update"}, {"hrss", "social_insurance_update"},
		{"medical_insurance", "medical_insurance_update"}, {"housing_fund", "housing_fund_update"}} {
		steps = append(steps, itemDone(it[0], it[1])...)
		steps = append(steps, itemDone(it[0], it[1])...) // weighted: cases should get far
	}
	return append(steps, post(applicant, "/v1/cases/{id}/withdraw", `{"reason":"不再需要"}`))
}()

// cacheRequests is a random sequence of commands on three cases, fixed by
// seed: retries of earlier requests and If-Match versions, right or wrong,
// mixed in.
func cacheRequests(seed uint64, n int) []request {
	rng := rand.New(rand.NewPCG(seed, 1))
	reqs := make([]request, 0, n+3)
	for i := range 3 {
		reqs = append(reqs, request{Method: http.MethodPost, Path: "/v1/cases", Token: "applicant", Body: submitBody,
			Header: map[string]string{"Idempotency-Key": fmt.Sprint("case-", i)}})
	}
	for i := range n {
		if rng.IntN(8) == 0 {
			reqs = append(reqs, reqs[2+rng.IntN(len(reqs)-2)])
			continue
		}
		a := cacheActions[rng.IntN(len(cacheActions))]
		h := map[string]string{"Idempotency-Key": fmt.Sprint("k", i)}
		if rng.IntN(6) == 0 {
			h["If-Match"] = fmt.Sprint(rng.IntN(12))
		}
		reqs = append(reqs, request{Method: http.MethodPost, Path: strings.ReplaceAll(a.path, "{id}", "case:"+fmt.Sprint(rng.IntN(3))),
			Token: a.who.Subject, Body: a.body, Header: h})
	}
	return reqs
}

// replay runs reqs, each on the server pick chooses, and returns what each
// answered: the status and, for a success, the body (an error's body names
// its request).
func replay(t *testing.T, servers []*testServer, pick func(int) int, reqs []request) ([]string, []string) {
	t.Helper()
	tokens := map[string]caseledgerhttp.Principal{"applicant": applicant}
	for _, a := range cacheActions {
		tokens[a.who.Subject] = a.who
	}
	var caseIDs, answers []string
	for i, r := range reqs {
		ts := servers[pick(i)]
		r.Token = ts.Token(t, tokens[r.Token])
		for j, id := range caseIDs {
			r.Path = strings.ReplaceAll(r.Path, fmt.Sprint("case:", j), id)
		}
		res := ts.Do(t, r)
		if r.Path == "/v1/cases" && len(caseIDs) < 3 {
			caseIDs = append(caseIDs, res.JSON(t)["case_id"].(string))
		}
		a := fmt.Sprint(res.Status)
		if res.Status < 300 {
			a += " " + string(res.Body)
		} else {
			a += fmt.Sprint(" ", res.JSON(t)["code"])
		}
		answers = append(answers, a)
	}
	return caseIDs, answers
}

// recordedCase is a case's stream as a full read gives it, without the
// record times, which differ between stores, and its events decoded.
func recordedCase(t *testing.T, store eventstore.Store, caseID string) ([]string, []domain.Event) {
	t.Helper()
	recs, err := store.ReadStream(t.Context(), "case-"+caseID, eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	evs := make([]domain.Event, len(recs))
	for i, r := range recs {
		out = append(out, fmt.Sprintf("%d %s %s %s %s", r.Version, r.ID, r.Type, r.Data, r.Metadata))
		if evs[i], err = domain.DecodeRecorded(r); err != nil {
			t.Fatal(err)
		}
	}
	return out, evs
}

func TestTheCaseCacheAnswersAsAFullFoldDoes(t *testing.T) {
	n := 120
	if testing.Short() {
		n = 40
	}
	variants := []struct {
		name    string
		servers int // more than one share a store, each with its own cache
		size    int // the cache's bound; 0 for the default
	}{
		{"default cache", 1, 0},
		{"a cache of one case", 1, 1},
		{"two servers on one store", 2, 0},
	}
	for _, seed := range []uint64{1, 2, 3} {
		reqs := cacheRequests(seed, n)
		ref := MustServer(t)
		caseledgerhttp.WithCaseCacheSize(ref.Server, 0)
		caseIDs, want := replay(t, []*testServer{ref}, func(int) int { return 0 }, reqs)
		for _, v := range variants {
			t.Run(fmt.Sprint(v.name, "/seed ", seed), func(t *testing.T) {
				servers := []*testServer{MustServer(t)}
				for len(servers) < v.servers {
					servers = append(servers, mustServerOn(t, servers[0].Store))
				}
				for _, ts := range servers {
					if v.size > 0 {
						caseledgerhttp.WithCaseCacheSize(ts.Server, v.size)
					}
				}
				rng := rand.New(rand.NewPCG(seed, 2))
				_, got := replay(t, servers, func(int) int { return rng.IntN(len(servers)) }, reqs)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("request %d (%s): got %s, want %s", i, reqs[i].Path, got[i], want[i])
					}
				}
				for _, id := range caseIDs {
					gotEvents, evs := recordedCase(t, servers[0].Store, id)
					wantEvents, _ := recordedCase(t, ref.Store, id)
					if !reflect.DeepEqual(gotEvents, wantEvents) {
						t.Fatalf("case %s events:\ngot  %q\nwant %q", id, gotEvents, wantEvents)
					}
					// A server's entry may be older than the other
					// server's last command, never different from a fold.
					for _, ts := range servers {
						st, version, ok := caseledgerhttp.CachedCase(ts.Server, id)
						if want := domain.Replay(evs[:version+1]); ok && !reflect.DeepEqual(st, want) {
							t.Errorf("case %s cached at version %d:\ngot  %+v\nwant %+v", id, version, st, want)
						}
					}
				}
				for _, ts := range servers {
					if got, limit := caseledgerhttp.CachedCases(ts.Server), max(v.size, 3); got > limit {
						t.Errorf("cached cases = %d, want at most %d", got, limit)
					}
				}
			})
		}
	}
}

func TestConcurrentCommandsOnOneCaseAreEachRecordedOnce(t *testing.T) {
	ts := MustServer(t)
	caseID := mustSubmit(t, ts, "busy")
	for _, s := range []step{acceptCase, startItem} {
		if res := ts.Do(t, request{Method: http.MethodPost, Path: strings.ReplaceAll(s.path, "{id}", caseID), Token: ts.Token(t, s.who), Body: s.body}); res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", s.path, res.Status, res.Body)
		}
	}
	const workers, each = 6, 5
	token := ts.Token(t, market)
	statuses := make(chan int, workers*each*2)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				// Each command is sent twice, as a client retrying a lost
				// answer would: the second must record nothing.
				for range 2 {
					r := httptest.NewRequest(http.MethodPost, "/v1/cases/"+caseID+"/items/registration_change/steps",
						strings.NewReader(`{"step":"承办","action":"通过","opinion":"材料齐全"}`))
					r.Header.Set("Content-Type", "application/json")
					r.Header.Set("Authorization", "Bearer "+token)
					r.Header.Set("Idempotency-Key", fmt.Sprint("step-", w, "-", i))
					rec := httptest.NewRecorder()
					ts.ServeHTTP(rec, r)
					statuses <- rec.Code
				}
			}
		})
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	// A command that lost the race five times is refused (409) and may be
	// retried; its retry then records it.
	if got := counts[http.StatusOK] + counts[http.StatusConflict]; got != workers*each*2 {
		t.Fatalf("statuses = %v, want only 200 and 409", counts)
	}
	events, evs := recordedCase(t, ts.Store, caseID)
	steps := 0
	for _, e := range events {
		if strings.Contains(e, " StepRecorded ") {
			steps++
		}
	}
	if got, want := steps, workers*each; got > want || got < want-counts[http.StatusConflict] {
		t.Errorf("step events = %d, want %d less at most the %d refused", got, want, counts[http.StatusConflict])
	}
	st, version, ok := caseledgerhttp.CachedCase(ts.Server, caseID)
	if !ok {
		t.Fatal("the case is not cached")
	}
	if got, want := version, uint64(len(events)-1); got != want {
		t.Errorf("cached version = %d, want %d", got, want)
	}
	if want := domain.Replay(evs); !reflect.DeepEqual(st, want) {
		t.Errorf("cached state:\ngot  %+v\nwant %+v", st, want)
	}
}

// A server decides a command on its cached state without reading the
// stream; these commands are each refused or stale on that state and right
// on the store, which another server moved on. None may be answered from
// the old state.
func TestACommandOnAStaleCachedCaseDecidesOnWhatTheStoreHolds(t *testing.T) {
	a := MustServer(t)
	b := mustServerOn(t, a.Store)
	caseID := mustSubmit(t, a, "stale")
	mustSteps(t, a, caseID, "enterprise_change", acceptCase, startItem)
	item := "/v1/cases/" + caseID + "/items/registration_change/"
	steps := []struct {
		name    string
		on      *testServer
		path    string
		body    string
		ifMatch bool // send the case's current version as If-Match
	}{
		{"b suspends the item a has cached as running", b, "suspend", `{"reason":"等待外部核查"}`, false},
		{"a resumes it: refused on a's cached state", a, "resume", `{}`, false},
		{"b records a step: refused on b's cached state (suspended)", b, "steps", `{"step":"承办","action":"其他","opinion":"核查完毕"}`, false},
		{"a records a step at the current version, newer than a's cache", a, "steps", `{"step":"审核","action":"其他","opinion":"同意"}`, true},
	}
	version := func() uint64 {
		recs, err := a.Store.ReadStream(t.Context(), "case-"+caseID, eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return recs[len(recs)-1].Version
	}
	for i, s := range steps {
		h := map[string]string{"Idempotency-Key": fmt.Sprint("stale-", i)}
		if s.ifMatch {
			h["If-Match"] = fmt.Sprint(version())
		}
		before := version()
		res := s.on.Do(t, request{Method: http.MethodPost, Path: item + s.path, Token: s.on.Token(t, market), Body: s.body, Header: h})
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s, want 200", s.name, res.Status, res.Body)
		}
		if got, want := version(), before+1; got != want {
			t.Errorf("%s: case version %d, want %d", s.name, got, want)
		}
	}
	// A stale If-Match is still refused once the cache is behind.
	res := b.Do(t, request{Method: http.MethodPost, Path: item + "steps", Token: b.Token(t, market),
		Body: `{"step":"承办","action":"其他","opinion":"x"}`, Header: map[string]string{"If-Match": fmt.Sprint(version() - 1)}})
	if res.Status != http.StatusPreconditionFailed {
		t.Errorf("a stale If-Match: %d %s, want 412", res.Status, res.Body)
	}
}
