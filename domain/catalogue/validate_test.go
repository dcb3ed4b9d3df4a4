package catalogue_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// validCatalogue is a small catalogue that passes every rule: a chain
// first -> second -> third, 3 working days each, within a 10-day promise.
func validCatalogue() *catalogue.Catalogue {
	item := func(code, dept string, deps ...string) catalogue.Item {
		return catalogue.Item{
			Code: code, NameZH: "事项" + code, NameEN: "Item " + code, Department: dept,
			CaseType: catalogue.Promised, Limit: workday.Days(3), MaxExtension: workday.Days(10),
			Materials: []catalogue.Material{{Code: "id_card", NameZH: "居民身份证", NameEN: "ID card",
				Key: true, Source: catalogue.FromApplicant}},
			DependsOn: deps,
		}
	}
	return &catalogue.Catalogue{
		Version: "test-1",
		Departments: []catalogue.Department{
			{Code: "police", NameZH: "公安局", NameEN: "Police"},
			{Code: "tax", NameZH: "税务局", NameEN: "Tax"},
		},
		Bundles: []catalogue.Bundle{{
			Code: "demo", NameZH: "示例一件事", NameEN: "Demo", LeadDepartment: "police",
			Mode: catalogue.Serial, Promised: workday.Days(10), Source: "test",
			Items: []catalogue.Item{
				item("first", "police"),
				item("second", "tax", "first"),
				item("third", "police", "second"),
			},
		}},
	}
}

func TestValidCatalogueParses(t *testing.T) {
	b, err := json.Marshal(validCatalogue())
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalogue.Parse(b)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got, want := c.Bundles[0].Order(), []string{"first", "second", "third"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Order() = %v, want %v", got, want)
	}
}

func TestValidateRejectsEachBrokenRule(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(c *catalogue.Catalogue)
		want   string
	}{
		{"no version", func(c *catalogue.Catalogue) { c.Version = "" }, "catalogue has no version"},
		{"duplicate department", func(c *catalogue.Catalogue) { c.Departments[1].Code = "police" },
			`department "police": duplicate code`},
		{"badly formed code", func(c *catalogue.Catalogue) { c.Departments[1].Code = "Tax Office" },
			`department "Tax Office": code must match`},
		{"department without English name", func(c *catalogue.Catalogue) { c.Departments[0].NameEN = " " },
			`department "police": needs a Chinese and an English name`},
		{"no bundles", func(c *catalogue.Catalogue) { c.Bundles = nil }, "catalogue has no bundles"},
		{"duplicate bundle", func(c *catalogue.Catalogue) { c.Bundles = append(c.Bundles, c.Bundles[0]) },
			`bundle "demo": duplicate code`},
		{"unknown lead department", func(c *catalogue.Catalogue) { c.Bundles[0].LeadDepartment = "army" },
			`bundle "demo": unknown lead department "army"`},
		{"unknown mode", func(c *catalogue.Catalogue) { c.Bundles[0].Mode = "both" },
			`bundle "demo": mode "both" is neither`},
		{"invalid promise", func(c *catalogue.Catalogue) { c.Bundles[0].Promised = workday.Limit{Value: 10, Unit: "W"} },
			`bundle "demo": promised: invalid: limit unit "W"`},
		{"promise beyond joint handling", func(c *catalogue.Catalogue) { c.Bundles[0].Promised = workday.Days(46) },
			`bundle "demo": promised 46G exceeds the 45 days`},
		{"no source", func(c *catalogue.Catalogue) { c.Bundles[0].Source = "" }, `bundle "demo": has no source`},
		{"no items", func(c *catalogue.Catalogue) { c.Bundles[0].Items = nil }, `bundle "demo": has no items`},
		{"duplicate item", func(c *catalogue.Catalogue) { c.Bundles[0].Items[2].Code = "first" },
			`bundle "demo" item "first": duplicate code`},
		{"unknown item department", func(c *catalogue.Catalogue) { c.Bundles[0].Items[1].Department = "army" },
			`bundle "demo" item "second": unknown department "army"`},
		{"unknown case type", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].CaseType = "later" },
			`bundle "demo" item "first": case type "later" is neither`},
		{"immediate item with a limit", func(c *catalogue.Catalogue) {
			c.Bundles[0].Items[0].CaseType = catalogue.Immediate
			c.Bundles[0].Items[0].MaxExtension = workday.Limit{}
		}, `bundle "demo" item "first": an immediate item (即办件) has no limit, got 3G`},
		{"immediate item with an extension", func(c *catalogue.Catalogue) {
			c.Bundles[0].Items[0].CaseType = catalogue.Immediate
			c.Bundles[0].Items[0].Limit = workday.Limit{}
		}, `bundle "demo" item "first": an immediate item (即办件) cannot be extended`},
		{"promised item without a limit", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].Limit = workday.Days(0) },
			`bundle "demo" item "first": a promised item (承诺件) needs a positive limit`},
		{"negative limit", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].Limit = workday.Days(-2) },
			`bundle "demo" item "first": limit: invalid: limit value -2`},
		{"extension beyond Art. 42", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].MaxExtension = workday.Days(11) },
			`bundle "demo" item "first": max_extension 11G exceeds the 10 days`},
		{"natural-day extension beyond Art. 42", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].MaxExtension = workday.Natural(15) },
			`bundle "demo" item "first": max_extension 15Z exceeds the 10 days`},
		{"no materials", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].Materials = nil },
			`bundle "demo" item "first": lists no materials`},
		{"duplicate material", func(c *catalogue.Catalogue) {
			it := &c.Bundles[0].Items[0]
			it.Materials = append(it.Materials, it.Materials[0])
		}, `bundle "demo" item "first" material "id_card": duplicate code`},
		{"unknown material source", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].Materials[0].Source = "post" },
			`bundle "demo" item "first" material "id_card": source "post" is neither`},
		{"dependency on itself", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].DependsOn = []string{"first"} },
			`bundle "demo": item "first" depends on itself`},
		{"dependency outside the bundle", func(c *catalogue.Catalogue) { c.Bundles[0].Items[1].DependsOn = []string{"elsewhere"} },
			`bundle "demo": item "second" depends on "elsewhere", which is not an item of this bundle`},
		{"dependency listed twice", func(c *catalogue.Catalogue) { c.Bundles[0].Items[1].DependsOn = []string{"first", "first"} },
			`bundle "demo": item "second" lists dependency "first" twice`},
		{"cycle", func(c *catalogue.Catalogue) { c.Bundles[0].Items[0].DependsOn = []string{"third"} },
			`bundle "demo": dependency cycle first -> third -> second -> first`},
		{"serial bundle that is not a chain", func(c *catalogue.Catalogue) { c.Bundles[0].Items[2].DependsOn = []string{"first"} },
			`bundle "demo": serial bundle runs items second, third side by side`},
		{"chain longer than the promise", func(c *catalogue.Catalogue) { c.Bundles[0].Promised = workday.Days(8) },
			`bundle "demo": items first -> second -> third take 9 days in sequence, more than the promised 8G`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCatalogue()
			tt.break_(c)
			err := c.Validate()
			if !errors.Is(err, catalogue.ErrInvalid) {
				t.Fatalf("Validate() = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %q, want it to mention %q", err, tt.want)
			}
			// Parse applies the same rules to bytes.
			b, merr := json.Marshal(c)
			if merr != nil {
				t.Fatal(merr)
			}
			if _, err := catalogue.Parse(b); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	c := validCatalogue()
	c.Version = ""
	c.Bundles[0].Items[1].Department = "army"
	c.Bundles[0].Items[2].MaxExtension = workday.Days(20)
	var verr *catalogue.ValidationError
	if err := c.Validate(); !errors.As(err, &verr) {
		t.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	if got, want := len(verr.Problems), 3; got != want {
		t.Errorf("Validate() found %d problems, want %d: %q", got, want, verr.Problems)
	}
}

func TestParseRejectsMalformedJSON(t *testing.T) {
	valid, err := json.Marshal(validCatalogue())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{"version":`, "not a catalogue JSON object"},
		{"misspelt key", strings.Replace(string(valid), `"depends_on"`, `"depend_on"`, 1), `unknown field "depend_on"`},
		{"trailing data", string(valid) + `{}`, "trailing data"},
		{"wrong type", `{"version":1}`, "not a catalogue JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := catalogue.Parse([]byte(tt.data))
			if !errors.Is(err, catalogue.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}
