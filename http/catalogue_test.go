package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/eventstore"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// withoutNil replaces nil lists by empty ones, in a copy: the API always
// writes [], the shipped file may leave a list out.
func withoutNil(c *catalogue.Catalogue) catalogue.Catalogue {
	out := *c
	out.Bundles = make([]catalogue.Bundle, len(c.Bundles))
	for i, b := range c.Bundles {
		b.Items = append([]catalogue.Item{}, b.Items...)
		for j := range b.Items {
			if b.Items[j].DependsOn == nil {
				b.Items[j].DependsOn = []string{}
			}
			if b.Items[j].Materials == nil {
				b.Items[j].Materials = []catalogue.Material{}
			}
		}
		out.Bundles[i] = b
	}
	return out
}

func TestTheCatalogueServedIsTheOneInForce(t *testing.T) {
	ts := MustServer(t)
	res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/catalogue", Token: ts.Token(t, analyst)})
	if res.Status != http.StatusOK {
		t.Fatalf("status = %d: %s", res.Status, res.Body)
	}
	if bytes.Contains(res.Body, []byte("null")) {
		t.Errorf("the catalogue has a null where a list belongs: %.200s", res.Body)
	}
	// The API spells the catalogue as the catalogue file does, so what it
	// serves is a valid catalogue, equal to the one submissions use.
	served, err := catalogue.Parse(res.Body)
	if err != nil {
		t.Fatalf("the served catalogue does not parse: %v", err)
	}
	if got, want := withoutNil(served), withoutNil(catalogue.Default()); !reflect.DeepEqual(got, want) {
		t.Errorf("served catalogue differs from the one in force:\n got %+v\nwant %+v", got, want)
	}
}

func TestABundleIsServedByItsCode(t *testing.T) {
	ts := MustServer(t)
	want, _ := catalogue.Default().Bundle("restaurant_opening")
	tests := []struct {
		name       string
		code       string
		wantStatus int
	}{
		{"a bundle of the catalogue", "restaurant_opening", http.StatusOK},
		{"an unknown code", "moon_landing", http.StatusNotFound},
		{"a department code is not a bundle", "market", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/catalogue/bundles/" + tt.code, Token: ts.Token(t, applicant)})
			if got, want := res.Status, tt.wantStatus; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			if tt.wantStatus != http.StatusOK {
				return
			}
			var got struct {
				Version string           `json:"version"`
				Bundle  catalogue.Bundle `json:"bundle"`
			}
			if err := json.Unmarshal(res.Body, &got); err != nil {
				t.Fatal(err)
			}
			if got, want := got.Version, catalogue.Default().Version; got != want {
				t.Errorf("version = %q, want %q", got, want)
			}
			one := func(b catalogue.Bundle) catalogue.Bundle {
				return withoutNil(&catalogue.Catalogue{Bundles: []catalogue.Bundle{b}}).Bundles[0]
			}
			if got, want := one(got.Bundle), one(*want); !reflect.DeepEqual(got, want) {
				t.Errorf("bundle = %+v, want %+v", got, want)
			}
		})
	}
}

// editedCatalogue is the shipped catalogue, deep-copied, with version
// changed and edit applied, as a request body.
func editedCatalogue(tb testing.TB, version string, edit func(*catalogue.Catalogue)) string {
	tb.Helper()
	raw, err := json.Marshal(catalogue.Default())
	if err != nil {
		tb.Fatal(err)
	}
	var c catalogue.Catalogue
	if err := json.Unmarshal(raw, &c); err != nil {
		tb.Fatal(err)
	}
	c.Version = version
	if edit != nil {
		edit(&c)
	}
	out, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	return string(out)
}

// withNewBundle adds a copy of enterprise_change under another code.
func withNewBundle(code string) func(*catalogue.Catalogue) {
	return func(c *catalogue.Catalogue) {
		b, _ := c.Bundle("enterprise_change")
		nb := *b
		nb.Code, nb.NameZH, nb.NameEN = code, "企业信息变更一件事（试点）", "Change of enterprise information (pilot)"
		c.Bundles = append(c.Bundles, nb)
	}
}

// withoutTaxUpdate drops the tax item from enterprise_change.
func withoutTaxUpdate(c *catalogue.Catalogue) {
	for i := range c.Bundles {
		b := &c.Bundles[i]
		if b.Code != "enterprise_change" {
			continue
		}
		b.Items = slices.DeleteFunc(b.Items, func(it catalogue.Item) bool { return it.Code == "tax_update" })
		for j := range b.Items {
			b.Items[j].DependsOn = slices.DeleteFunc(b.Items[j].DependsOn, func(d string) bool { return d == "tax_update" })
		}
	}
}

func (ts *testServer) publish(tb testing.TB, who caseledgerhttp.Principal, body, key string) response {
	tb.Helper()
	req := request{Method: http.MethodPut, Path: "/v1/admin/catalogue", Token: ts.Token(tb, who), Body: body}
	if key != "" {
		req.Header = map[string]string{"Idempotency-Key": key}
	}
	return ts.Do(tb, req)
}

func mustPublish(tb testing.TB, ts *testServer, body string) {
	tb.Helper()
	if res := ts.publish(tb, admin, body, ""); res.Status != http.StatusOK {
		tb.Fatalf("publish: %d %s", res.Status, res.Body)
	}
}

func servedVersion(tb testing.TB, ts *testServer) string {
	tb.Helper()
	res := ts.Do(tb, request{Method: http.MethodGet, Path: "/v1/catalogue", Token: ts.Token(tb, applicant)})
	if res.Status != http.StatusOK {
		tb.Fatalf("GET /v1/catalogue: %d %s", res.Status, res.Body)
	}
	return res.JSON(tb)["version"].(string)
}

func TestAPublishedCatalogueIsInForceForNewSubmissions(t *testing.T) {
	ts := MustServer(t)
	mustPublish(t, ts, editedCatalogue(t, "2026-pilot", withNewBundle("enterprise_change_pilot")))
	if got, want := servedVersion(t, ts), "2026-pilot"; got != want {
		t.Errorf("served version = %q, want %q", got, want)
	}
	res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/catalogue/bundles/enterprise_change_pilot", Token: ts.Token(t, applicant)})
	if got, want := res.Status, http.StatusOK; got != want {
		t.Errorf("GET the new bundle: status = %d, want %d: %s", got, want, res.Body)
	}
	body := strings.Replace(submitFor(t, "enterprise_change"), `"enterprise_change"`, `"enterprise_change_pilot"`, 1)
	mustCreate(t, ts, applicant, body)
}

func TestAPublishedCatalogueSurvivesARestart(t *testing.T) {
	ts := MustServer(t)
	mustPublish(t, ts, editedCatalogue(t, "2026-a", nil))
	mustPublish(t, ts, editedCatalogue(t, "2026-b", withNewBundle("enterprise_change_pilot")))
	restarted := mustServerOn(t, ts.Store)
	if got, want := servedVersion(t, restarted), "2026-b"; got != want {
		t.Errorf("served version after restart = %q, want %q", got, want)
	}
	body := strings.Replace(submitFor(t, "enterprise_change"), `"enterprise_change"`, `"enterprise_change_pilot"`, 1)
	mustCreate(t, restarted, applicant, body)
}

func TestCasesSubmittedBeforeAPublishKeepTheirBundle(t *testing.T) {
	ts := MustServer(t)
	before := mustCreate(t, ts, applicant, submitFor(t, "enterprise_change"))
	mustPublish(t, ts, editedCatalogue(t, "2026-no-tax", withoutTaxUpdate))
	after := mustCreate(t, ts, applicant, submitFor(t, "enterprise_change"))
	tests := []struct {
		name   string
		caseID string
		wantOK bool
	}{
		{"a case submitted before keeps the tax item", before, true},
		{"a case submitted after has none", after, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases/" + tt.caseID + "/accept", Token: ts.Token(t, window), Body: `{"acceptance_number":"ZS-2026-0001"}`})
			if res.Status != http.StatusOK {
				t.Fatalf("accept: %d %s", res.Status, res.Body)
			}
			// tax_update waits for the registration change.
			for _, s := range itemDone("market", "registration_change") {
				res = ts.Do(t, fill(t, ts, s, s.who, tt.caseID, "enterprise_change", ""))
				if res.Status != http.StatusOK {
					t.Fatalf("%s: %d %s", s.path, res.Status, res.Body)
				}
			}
			res = ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases/" + tt.caseID + "/items/tax_update/accept", Token: ts.Token(t, officer("tax")), Body: `{}`})
			if got, want := res.Status == http.StatusOK, tt.wantOK; got != want {
				t.Errorf("the tax officer accepts tax_update: status %d, want success %v: %s", res.Status, want, res.Body)
			}
		})
	}
}

func TestPublishingIsRefused(t *testing.T) {
	ts := MustServer(t)
	mustPublish(t, ts, editedCatalogue(t, "2026-a", nil))
	invalid := editedCatalogue(t, "", func(c *catalogue.Catalogue) { c.Bundles[0].LeadDepartment = "ministry_of_magic" })
	tests := []struct {
		name       string
		who        caseledgerhttp.Principal
		body       string
		wantStatus int
		wantFields []string
	}{
		{"an applicant may not publish", applicant, editedCatalogue(t, "2026-b", nil), http.StatusForbidden, nil},
		{"a supervisor may not publish", supervisor, editedCatalogue(t, "2026-b", nil), http.StatusForbidden, nil},
		{"every validation problem is a field", admin, invalid, http.StatusBadRequest, []string{"catalogue", `bundle "` + catalogue.Default().Bundles[0].Code + `"`}},
		{"a body that is no catalogue", admin, `{"version":"2026-c","bundles":"many"}`, http.StatusBadRequest, []string{"catalogue"}},
		{"a body over 1 MiB", admin, editedCatalogue(t, "2026-big", nil) + strings.Repeat(" ", 1<<20), http.StatusBadRequest, nil},
		{"the version in force again", admin, editedCatalogue(t, "2026-a", nil), http.StatusConflict, nil},
		{"the shipped version, published before the first publish", admin, editedCatalogue(t, catalogue.Default().Version, nil), http.StatusConflict, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.publish(t, tt.who, tt.body, "")
			if got, want := res.Status, tt.wantStatus; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, res.Body)
			}
			var problem struct {
				Fields []struct{ Field string } `json:"fields"`
			}
			if err := json.Unmarshal(res.Body, &problem); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range problem.Fields {
				got = append(got, f.Field)
			}
			for _, want := range tt.wantFields {
				if !slices.Contains(got, want) {
					t.Errorf("fields %q lack %q: %s", got, want, res.Body)
				}
			}
		})
	}
	if got, want := servedVersion(t, ts), "2026-a"; got != want {
		t.Errorf("after refusals the version in force = %q, want %q", got, want)
	}
}

func TestARepublishWithTheSameIdempotencyKeyRecordsOnce(t *testing.T) {
	ts := MustServer(t)
	body := editedCatalogue(t, "2026-a", nil)
	first := ts.publish(t, admin, body, "cat-1")
	again := ts.publish(t, admin, body, "cat-1")
	if first.Status != http.StatusOK || again.Status != http.StatusOK {
		t.Fatalf("statuses %d, %d: %s %s", first.Status, again.Status, first.Body, again.Body)
	}
	if got, want := again.JSON(t)["replayed"], true; got != want {
		t.Errorf("replayed = %v, want %v", got, want)
	}
	if got, want := again.JSON(t)["position"], first.JSON(t)["position"]; got != want {
		t.Errorf("position = %v, want the first's %v", got, want)
	}
	if got, want := ts.publish(t, admin, editedCatalogue(t, "2026-b", nil), "cat-1").Status, http.StatusConflict; got != want {
		t.Errorf("the key reused for another catalogue: status = %d, want %d", got, want)
	}
	evs, err := ts.Store.ReadStream(context.Background(), "catalogue-national", eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(evs), 1; got != want {
		t.Errorf("events recorded = %d, want %d", got, want)
	}
}

// flakyStore fails every stream read while failing is set.
type flakyStore struct {
	eventstore.Store
	failing *atomic.Bool
}

func (s flakyStore) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	if s.failing.Load() {
		return nil, errors.New("disk on fire")
	}
	return s.Store.ReadStream(ctx, stream, opts)
}

func TestACatalogueUnreadableAtStartIsReadOnFirstUse(t *testing.T) {
	ts := MustServer(t)
	mustPublish(t, ts, editedCatalogue(t, "2026-a", nil))
	failing := &atomic.Bool{}
	failing.Store(true)
	restarted := mustServerOn(t, flakyStore{Store: ts.Store, failing: failing})
	res := restarted.Do(t, request{Method: http.MethodGet, Path: "/v1/catalogue", Token: restarted.Token(t, applicant)})
	if got, want := res.Status, http.StatusServiceUnavailable; got != want {
		t.Errorf("while the store fails: status = %d, want %d: %s", got, want, res.Body)
	}
	failing.Store(false)
	if got, want := servedVersion(t, restarted), "2026-a"; got != want {
		t.Errorf("once the store recovers: version = %q, want %q", got, want)
	}
}
