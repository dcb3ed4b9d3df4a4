package catalogue_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// mustBundle returns a bundle of the shipped catalogue or fails the test.
func mustBundle(tb testing.TB, code string) *catalogue.Bundle {
	tb.Helper()
	b, ok := catalogue.Default().Bundle(code)
	if !ok {
		tb.Fatalf("shipped catalogue has no bundle %q", code)
	}
	return b
}

func TestDefaultHoldsTheThirteenBundlesOfThe2024Batch(t *testing.T) {
	tests := []struct {
		code         string
		nameZH       string
		illustrative bool
	}{
		{"enterprise_change", "企业信息变更一件事", false},
		{"transport_company_opening", "开办运输企业一件事", true},
		{"restaurant_opening", "开办餐饮店一件事", false},
		{"utility_connection", "水电气网联合报装一件事", true},
		{"credit_repair", "信用修复一件事", true},
		{"bankruptcy_info_check", "企业破产信息核查一件事", true},
		{"newborn_birth", "新生儿出生一件事", false},
		{"school_enrolment", "教育入学一件事", true},
		{"social_security_card_services", "社会保障卡居民服务“一卡通”一件事", true},
		{"disability_services", "残疾人服务一件事", true},
		{"retirement", "退休一件事", false},
		{"veteran_services", "军人退役一件事", true},
		{"after_death", "身后一件事", false},
	}
	c := catalogue.Default()
	if got, want := len(c.Bundles), len(tests); got != want {
		t.Errorf("shipped catalogue has %d bundles, want %d", got, want)
	}
	if c.Version == "" {
		t.Error("shipped catalogue has no version")
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			b := mustBundle(t, tt.code)
			if b.NameZH != tt.nameZH || b.Illustrative != tt.illustrative {
				t.Errorf("got %s illustrative=%v, want %s illustrative=%v", b.NameZH, b.Illustrative, tt.nameZH, tt.illustrative)
			}
			if b.Source == "" {
				t.Error("no source note")
			}
		})
	}
	if _, ok := c.Bundle("no_such_bundle"); ok {
		t.Error("Bundle(no_such_bundle) found a bundle")
	}
}

func TestWorkedBundlesFollowDOMAIN(t *testing.T) {
	tests := []struct {
		code     string
		mode     catalogue.Mode
		promised workday.Limit
		items    int
		stages   [][]string
	}{
		{"retirement", catalogue.Serial, workday.Days(10), 3, [][]string{
			{"retirement_approval"}, {"housing_fund_freeze"}, {"housing_fund_withdrawal"}}},
		{"restaurant_opening", catalogue.Parallel, workday.Days(15), 5, [][]string{
			{"business_licence_check"},
			{"food_business_permit", "outdoor_signboard", "fire_safety_check", "tobacco_retail_licence"}}},
		{"enterprise_change", catalogue.Parallel, workday.Days(3), 5, [][]string{
			{"registration_change"},
			{"tax_update", "social_insurance_update", "medical_insurance_update", "housing_fund_update"}}},
		{"after_death", catalogue.Parallel, workday.Days(10), 9, [][]string{
			{"death_certificate"}, {"cremation_certificate"},
			{"hukou_cancellation", "driving_licence_cancellation", "medical_account_withdrawal", "pension_account_refund",
				"survivor_benefits", "housing_fund_withdrawal", "social_security_card_cancellation"}}},
		{"newborn_birth", catalogue.Parallel, workday.Days(5), 9, [][]string{
			{"birth_registration", "birth_certificate", "vaccination_record", "parenting_guidance", "maternity_reimbursement"},
			{"hukou_registration"},
			{"medical_insurance_enrolment", "social_security_card"},
			{"insurance_payment"}}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			b := mustBundle(t, tt.code)
			if b.Mode != tt.mode || b.Promised != tt.promised || len(b.Items) != tt.items {
				t.Errorf("got mode %s, promised %s, %d items; want %s, %s, %d",
					b.Mode, b.Promised, len(b.Items), tt.mode, tt.promised, tt.items)
			}
			if got := b.Stages(); !reflect.DeepEqual(got, tt.stages) {
				t.Errorf("Stages() = %v, want %v", got, tt.stages)
			}
		})
	}
}

func TestNewbornItemsBelongToTheirDepartments(t *testing.T) {
	want := map[string]string{
		"birth_registration": "health", "birth_certificate": "health", "vaccination_record": "health",
		"parenting_guidance": "health", "hukou_registration": "police", "medical_insurance_enrolment": "medical_insurance",
		"maternity_reimbursement": "medical_insurance", "social_security_card": "hrss", "insurance_payment": "tax",
	}
	b := mustBundle(t, "newborn_birth")
	for code, dept := range want {
		it, ok := b.Item(code)
		if !ok {
			t.Errorf("no item %s", code)
			continue
		}
		if it.Department != dept {
			t.Errorf("item %s: department %s, want %s", code, it.Department, dept)
		}
	}
}

func TestMaterialsRecordKeyAndSource(t *testing.T) {
	b := mustBundle(t, "newborn_birth")
	it, _ := b.Item("hukou_registration")
	tests := []struct {
		code   string
		key    bool
		source catalogue.Source
	}{
		{"mother_id_card", true, catalogue.FromApplicant},
		{"household_register", true, catalogue.FromApplicant},
		{"marriage_certificate", true, catalogue.Shared},
		{"birth_medical_certificate", true, catalogue.Shared},
	}
	for _, tt := range tests {
		m, ok := it.Material(tt.code)
		if !ok {
			t.Errorf("hukou_registration has no material %s", tt.code)
			continue
		}
		if m.Key != tt.key || m.Source != tt.source {
			t.Errorf("material %s: key %v source %s, want key %v source %s", tt.code, m.Key, m.Source, tt.key, tt.source)
		}
	}
	// Some material of the bundle must be minor, or 容缺受理 could never apply.
	var minor []string
	for _, it := range b.Items {
		for _, m := range it.Materials {
			if !m.Key {
				minor = append(minor, it.Code+"/"+m.Code)
			}
		}
	}
	if len(minor) == 0 {
		t.Error("newborn_birth has no minor material")
	}
}

func TestFireCheckAllowsCommitment(t *testing.T) {
	b := mustBundle(t, "restaurant_opening")
	var got []string
	for _, it := range b.Items {
		if it.Commitment {
			got = append(got, it.Code)
		}
	}
	if want := []string{"fire_safety_check"}; !slices.Equal(got, want) {
		t.Errorf("items with 告知承诺 = %v, want %v", got, want)
	}
	fire, _ := b.Item("fire_safety_check")
	if got, want := fire.Limit, workday.Days(13); got != want {
		t.Errorf("fire check limit = %s, want %s (10 WD inspection + 3 WD decision)", got, want)
	}
}

func TestDepartmentsLookup(t *testing.T) {
	c := catalogue.Default()
	d, ok := c.Department("fire")
	if !ok || d.NameZH == "" {
		t.Errorf("Department(fire) = %+v, %v", d, ok)
	}
	if _, ok := c.Department("nope"); ok {
		t.Error("Department(nope) found a department")
	}
}

// TestDefaultRoundTripsThroughJSON guards the JSON tags: events embed
// bundles, so what is written must read back the same.
func TestDefaultRoundTripsThroughJSON(t *testing.T) {
	b, err := json.Marshal(catalogue.Default())
	if err != nil {
		t.Fatal(err)
	}
	got, err := catalogue.Parse(b)
	if err != nil {
		t.Fatalf("Parse(Marshal(Default())): %v", err)
	}
	if !reflect.DeepEqual(got, catalogue.Default()) {
		t.Error("the shipped catalogue changed in a JSON round trip")
	}
}
