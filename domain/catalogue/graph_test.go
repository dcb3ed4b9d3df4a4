package catalogue_test

import (
	"slices"
	"testing"

	"github.com/caseledger/caseledger/domain/catalogue"
)

func TestNewbornChainOrder(t *testing.T) {
	order := mustBundle(t, "newborn_birth").Order()
	if len(order) != 9 {
		t.Fatalf("Order() = %v, want 9 items", order)
	}
	pos := func(code string) int {
		i := slices.Index(order, code)
		if i < 0 {
			t.Fatalf("Order() = %v lacks %s", order, code)
		}
		return i
	}
	// 出生医学证明 -> 落户 -> {医保参保 || 社保卡} -> 缴费
	chain := [][2]string{
		{"birth_certificate", "hukou_registration"},
		{"hukou_registration", "medical_insurance_enrolment"},
		{"hukou_registration", "social_security_card"},
		{"medical_insurance_enrolment", "insurance_payment"},
		{"social_security_card", "insurance_payment"},
	}
	for _, c := range chain {
		if pos(c[0]) >= pos(c[1]) {
			t.Errorf("Order() = %v puts %s after %s", order, c[0], c[1])
		}
	}
}

func TestOrderPlacesEveryItemAfterItsDependencies(t *testing.T) {
	for _, b := range catalogue.Default().Bundles {
		order := b.Order()
		if len(order) != len(b.Items) {
			t.Errorf("%s: Order() = %v, want %d items", b.Code, order, len(b.Items))
			continue
		}
		for _, it := range b.Items {
			for _, dep := range it.DependsOn {
				if slices.Index(order, dep) >= slices.Index(order, it.Code) {
					t.Errorf("%s: Order() = %v puts %s before its dependency %s", b.Code, order, it.Code, dep)
				}
			}
		}
	}
}

func TestReadyDispatchesItemsWhoseDependenciesConcluded(t *testing.T) {
	b := mustBundle(t, "newborn_birth")
	tests := []struct {
		name      string
		concluded []string
		want      []string
	}{
		{"at acceptance: every item without dependencies", nil, []string{
			"birth_registration", "birth_certificate", "vaccination_record", "parenting_guidance", "maternity_reimbursement"}},
		{"birth certificate issued: registration in the household register", []string{"birth_certificate"}, []string{
			"birth_registration", "vaccination_record", "parenting_guidance", "hukou_registration", "maternity_reimbursement"}},
		{"hukou done: enrolment and card side by side", []string{
			"birth_registration", "birth_certificate", "vaccination_record", "parenting_guidance", "maternity_reimbursement",
			"hukou_registration"}, []string{"medical_insurance_enrolment", "social_security_card"}},
		{"payment waits for both enrolment and card", []string{
			"birth_registration", "birth_certificate", "vaccination_record", "parenting_guidance", "maternity_reimbursement",
			"hukou_registration", "medical_insurance_enrolment"}, []string{"social_security_card"}},
		{"both concluded: payment", []string{
			"birth_registration", "birth_certificate", "vaccination_record", "parenting_guidance", "maternity_reimbursement",
			"hukou_registration", "medical_insurance_enrolment", "social_security_card"}, []string{"insurance_payment"}},
		{"all concluded: nothing", b.Order(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			concluded := make(map[string]bool)
			for _, c := range tt.concluded {
				concluded[c] = true
			}
			if got := b.Ready(concluded); !slices.Equal(got, tt.want) {
				t.Errorf("Ready(%v) = %v, want %v", tt.concluded, got, tt.want)
			}
		})
	}
}

func TestReadyInASerialBundleIsOneItemAtATime(t *testing.T) {
	b := mustBundle(t, "retirement")
	concluded := make(map[string]bool)
	var got []string
	for {
		ready := b.Ready(concluded)
		if len(ready) == 0 {
			break
		}
		if len(ready) != 1 {
			t.Fatalf("Ready() = %v in a serial bundle, want one item", ready)
		}
		got = append(got, ready[0])
		concluded[ready[0]] = true
	}
	if want := []string{"retirement_approval", "housing_fund_freeze", "housing_fund_withdrawal"}; !slices.Equal(got, want) {
		t.Errorf("dispatch order = %v, want %v", got, want)
	}
}

func TestOrderPrefersTheEarliestReadyItem(t *testing.T) {
	b := catalogue.Bundle{Items: []catalogue.Item{
		{Code: "notify", DependsOn: []string{"approve"}},
		{Code: "approve"},
		{Code: "archive"},
	}}
	// notify is ready once approve is placed, and comes before archive in
	// the catalogue, so it goes first: the order reads like the catalogue.
	if got, want := b.Order(), []string{"approve", "notify", "archive"}; !slices.Equal(got, want) {
		t.Errorf("Order() = %v, want %v", got, want)
	}
	if got, want := b.Stages(), [][]string{{"approve", "archive"}, {"notify"}}; len(got) != 2 ||
		!slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("Stages() = %v, want %v", got, want)
	}
}
