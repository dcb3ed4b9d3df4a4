package domain_test

import (
	"slices"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// officers of the shipped catalogue's departments.
func officer(dept string) domain.Actor {
	return domain.Actor{Role: domain.RoleDepartment, PersonID: "o-" + dept, Unit: dept, Region: "440300"}
}

// TestNewbornBundleRunsTheChain walks the shipped 新生儿出生 bundle: the
// chain 出生医学证明 -> 落户 -> {医保参保 || 社保卡} -> 缴费, the rest in
// parallel from acceptance, completion after the last item.
func TestNewbornBundleRunsTheChain(t *testing.T) {
	env := domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: domain.DefaultPolicy()}
	b, ok := env.Catalogue.Bundle("newborn_birth")
	if !ok {
		t.Fatal("no newborn_birth bundle in the shipped catalogue")
	}
	var provided []string
	for _, it := range b.Items {
		for _, m := range it.Materials {
			if m.Source == catalogue.FromApplicant && !slices.Contains(provided, m.Code) {
				provided = append(provided, m.Code)
			}
		}
	}
	sub := submit(window, provided...)
	sub.BundleCode = "newborn_birth"
	var s domain.State
	decide := func(cmd domain.Command) []string {
		t.Helper()
		evs, err := domain.Decide(s, cmd, env)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		var dispatched []string
		for _, ev := range evs {
			s = domain.Evolve(s, ev)
			if d, ok := ev.(*domain.ItemDispatched); ok {
				dispatched = append(dispatched, d.Item)
			}
		}
		return dispatched
	}
	conclude := func(code string) []string {
		t.Helper()
		it, _ := s.Item(code)
		decide(&domain.AcceptItem{CommandMeta: on(officer(it.Department), 1), Item: code})
		return decide(&domain.DecideItem{CommandMeta: on(officer(it.Department), 1), Item: code, Outcome: domain.Approved, Opinion: "同意"})
	}
	decide(sub)
	steps := []struct {
		name           string
		act            func() []string
		wantDispatched []string
	}{
		{"acceptance dispatches every item without dependencies",
			func() []string {
				return decide(&domain.AcceptCase{CommandMeta: on(window, 0), AcceptanceNumber: "SL-NB"})
			},
			[]string{"birth_registration", "birth_certificate", "vaccination_record", "parenting_guidance", "maternity_reimbursement"}},
		{"出生医学证明 unlocks 落户", func() []string { return conclude("birth_certificate") }, []string{"hukou_registration"}},
		{"落户 unlocks 医保参保 and 社保卡 in parallel", func() []string { return conclude("hukou_registration") },
			[]string{"medical_insurance_enrolment", "social_security_card"}},
		{"医保参保 alone does not unlock 缴费", func() []string { return conclude("medical_insurance_enrolment") }, nil},
		{"社保卡 too unlocks 缴费", func() []string { return conclude("social_security_card") }, []string{"insurance_payment"}},
	}
	for _, st := range steps {
		if got, want := st.act(), st.wantDispatched; !slices.Equal(got, want) {
			t.Fatalf("%s: dispatched %v, want %v", st.name, got, want)
		}
	}
	for _, code := range []string{"birth_registration", "vaccination_record", "parenting_guidance", "maternity_reimbursement", "insurance_payment"} {
		conclude(code)
	}
	if got, want := s.Status, domain.StatusCompleted; got != want {
		t.Errorf("status after every item = %s, want %s", got, want)
	}
	// 2026-03-02 + 5 working days.
	if got, want := s.Acceptance.PromisedDue, date("2026-03-09"); got != want {
		t.Errorf("promised due = %v, want %v", got, want)
	}
}
