package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/caseledger/caseledger/domain/catalogue"
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
