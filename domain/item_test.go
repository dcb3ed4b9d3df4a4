package domain_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
)

func acceptItem(a domain.Actor, item string) *domain.AcceptItem {
	return &domain.AcceptItem{CommandMeta: on(a, 1), Item: item}
}

func step(a domain.Actor, day int, action domain.Action) *domain.RecordStep {
	return &domain.RecordStep{CommandMeta: on(a, day), Item: "a", Step: domain.StepHandle, Action: action, Opinion: "材料齐全"}
}

func suspend(day int) *domain.SuspendItem {
	return &domain.SuspendItem{CommandMeta: on(health, day), Item: "a", Reason: "等待外部核查"}
}

func special(day int) *domain.StartSpecialProcedure {
	return &domain.StartSpecialProcedure{CommandMeta: on(health, day), Item: "a", Kind: domain.SpecialExpert, Reason: "专家评审"}
}

func extend(item string, by workday.Limit) *domain.ExtendDeadline {
	a := health
	if item == "c" {
		a = tax
	}
	return &domain.ExtendDeadline{CommandMeta: on(a, 2), Item: item, By: by, ApprovalRef: "YC-1", Reason: "情况复杂"}
}

func dueIs(want string) func(*testing.T, []domain.Event) {
	return func(t *testing.T, evs []domain.Event) {
		t.Helper()
		var got workday.Date
		switch e := evs[0].(type) {
		case *domain.ItemResumed:
			got = e.Due
		case *domain.SpecialProcedureEnded:
			got = e.Due
		case *domain.DeadlineExtended:
			got = e.Due
		}
		if got != date(want) {
			t.Errorf("due = %v, want %v", got, want)
		}
	}
}

func chainAccepted() []domain.Command {
	s := submit(window, "id_card")
	s.BundleCode = "chain"
	return []domain.Command{s, &domain.AcceptCase{CommandMeta: on(window, 0), AcceptanceNumber: "SL-2"}}
}

func itemCases() []gwt {
	withdrawn := with(submitted(), &domain.WithdrawCase{CommandMeta: on(applicant, 0), Reason: "r"})
	aDone := with(started(), decideA(domain.Approved))
	return []gwt{
		{name: "accept item: the department starts a dispatched item", given: accepted(), when: acceptItem(health, "a"),
			then: []string{"ItemAccepted"}},
		{name: "accept item: only by its department", given: accepted(), when: acceptItem(tax, "a"), code: domain.CodeForbidden, rule: "C1"},
		{name: "accept item: not by a window officer", given: accepted(), when: acceptItem(window, "a"), code: domain.CodeForbidden, rule: "C4"},
		{name: "accept item: nothing before acceptance", given: submitted(), when: acceptItem(health, "a"), code: domain.CodeConflict, rule: "C6"},
		{name: "accept item: not before dispatch", given: accepted(), when: acceptItem(police, "b"), code: domain.CodeConflict, rule: "C12"},
		{name: "accept item: once", given: started(), when: acceptItem(health, "a"), code: domain.CodeConflict, rule: "C12"},
		{name: "accept item: not a concluded item", given: aDone, when: acceptItem(health, "a"), code: domain.CodeConflict, rule: "C9"},
		{name: "accept item: not in a withdrawn case", given: withdrawn, when: acceptItem(health, "a"), code: domain.CodeConflict, rule: "C7"},
		{name: "accept item: unknown item", given: accepted(), when: acceptItem(health, "zz"), code: domain.CodeNotFound},

		{name: "step: recorded with action and opinion", given: started(), when: step(health, 1, domain.ActionPass), then: []string{"StepRecorded"}},
		{name: "step: not before the department accepted the item", given: accepted(), when: step(health, 1, domain.ActionPass), code: domain.CodeConflict, rule: "C12"},
		{name: "step: not while suspended", given: with(started(), suspend(1)), when: step(health, 2, domain.ActionPass), code: domain.CodeConflict, rule: "C13"},
		{name: "step: unknown action is invalid", given: started(), when: step(health, 1, "驳回"), code: domain.CodeInvalid},

		{name: "suspend: stops the item", given: started(), when: suspend(1), then: []string{"ItemSuspended"}},
		{name: "suspend: one pause at a time", given: with(started(), special(1)), when: suspend(1), code: domain.CodeConflict, rule: "C13"},

		{name: "resume: due date moves by the paused working days", given: with(started(), suspend(1)),
			when: &domain.ResumeItem{CommandMeta: on(health, 3), Item: "a"}, then: []string{"ItemResumed"}, check: dueIs("2026-03-11")},
		{name: "resume: only a suspended item", given: started(),
			when: &domain.ResumeItem{CommandMeta: on(health, 3), Item: "a"}, code: domain.CodeConflict, rule: "C13"},

		{name: "special procedure: starts", given: started(), when: special(1), then: []string{"SpecialProcedureStarted"}},
		{name: "special procedure: not while suspended", given: with(started(), suspend(1)), when: special(1), code: domain.CodeConflict, rule: "C13"},
		{name: "special procedure: unknown kind is invalid", given: started(),
			when: &domain.StartSpecialProcedure{CommandMeta: on(health, 1), Item: "a", Kind: "抽签", Reason: "r"}, code: domain.CodeInvalid},

		{name: "end special procedure: its days are not counted", given: with(started(), special(1)),
			when: &domain.EndSpecialProcedure{CommandMeta: on(health, 8), Item: "a", Result: "通过"},
			then: []string{"SpecialProcedureEnded"}, check: dueIs("2026-03-16")},
		{name: "end special procedure: only an open one", given: started(),
			when: &domain.EndSpecialProcedure{CommandMeta: on(health, 8), Item: "a", Result: "通过"}, code: domain.CodeConflict, rule: "C13"},

		{name: "extend: within the legal maximum", given: started(), when: extend("a", workday.Days(3)),
			then: []string{"DeadlineExtended"}, check: dueIs("2026-03-12")},
		{name: "extend: all extensions together within the maximum", given: with(started(), extend("a", workday.Days(2))),
			when: extend("a", workday.Days(2)), code: domain.CodeConflict, rule: "C14"},
		{name: "extend: in the item's unit", given: started(), when: extend("a", workday.Natural(2)), code: domain.CodeConflict, rule: "C14"},
		{name: "extend: not an item without extension", given: with(accepted(), acceptItem(tax, "c")), when: extend("c", workday.Days(1)),
			code: domain.CodeConflict, rule: "C14"},
		{name: "extend: not while paused", given: with(started(), special(1)), when: extend("a", workday.Days(1)), code: domain.CodeConflict, rule: "C13"},
		{name: "extend: approval reference required", given: started(),
			when: &domain.ExtendDeadline{CommandMeta: on(health, 2), Item: "a", By: workday.Days(1), Reason: "r"}, code: domain.CodeInvalid},

		{name: "decide: approval dispatches the dependants", given: started(), when: decideA(domain.Approved),
			then: []string{"ItemDecided", "ItemDispatched"}, check: func(t *testing.T, evs []domain.Event) {
				if got, want := event[*domain.ItemDispatched](t, evs).Item, "b"; got != want {
					t.Errorf("dispatched %q, want %q", got, want)
				}
			}},
		{name: "decide: a denial leaves its dependants unreachable", given: with(with(accepted(), acceptItem(tax, "c")),
			&domain.DecideItem{CommandMeta: on(tax, 1), Item: "c", Outcome: domain.Approved, Opinion: "ok"}, acceptItem(health, "a")),
			when: decideA(domain.Denied), then: []string{"ItemDecided", "BundleCompleted"}, check: func(t *testing.T, evs []domain.Event) {
				want := []domain.ItemOutcome{{Item: "a", Outcome: domain.Denied}, {Item: "c", Outcome: domain.Approved}, {Item: "b", Outcome: domain.Unreachable}}
				got := event[*domain.BundleCompleted](t, evs).Outcomes
				if len(got) != len(want) {
					t.Fatalf("outcomes = %v, want %v", got, want)
				}
				for _, w := range want {
					found := false
					for _, g := range got {
						found = found || g == w
					}
					if !found {
						t.Errorf("outcomes = %v, want %v among them", got, w)
					}
				}
			}},
		{name: "decide: the last conclusion completes the bundle", given: with(aDone, acceptItem(police, "b"), acceptItem(tax, "c"),
			&domain.DecideItem{CommandMeta: on(tax, 3), Item: "c", Outcome: domain.Approved, Opinion: "ok"}),
			when: &domain.DecideItem{CommandMeta: on(police, 3), Item: "b", Outcome: domain.Approved, Opinion: "ok"},
			then: []string{"ItemDecided", "BundleCompleted"}},
		{name: "decide: a serial bundle dispatches one item at a time", given: chainAccepted()[:1],
			when: chainAccepted()[1], then: []string{"CaseAccepted", "ItemDispatched"}},
		{name: "decide: the next serial item follows the conclusion", given: with(chainAccepted(), acceptItem(health, "first")),
			when: &domain.DecideItem{CommandMeta: on(health, 2), Item: "first", Outcome: domain.Approved, Opinion: "ok"},
			then: []string{"ItemDecided", "ItemDispatched"}},
		{name: "decide: approval with tolerance needs a tolerant acceptance", given: started(), when: decideA(domain.ApprovedTolerance),
			code: domain.CodeConflict, rule: "C15"},
		{name: "decide: a denial states its legal basis", given: started(),
			when: &domain.DecideItem{CommandMeta: on(health, 2), Item: "a", Outcome: domain.Denied, Opinion: "no"}, code: domain.CodeConflict, rule: "C15"},
		{name: "decide: not while in a special procedure", given: with(started(), special(1)), when: decideA(domain.Approved),
			code: domain.CodeConflict, rule: "C13"},
		{name: "decide: once", given: aDone, when: decideA(domain.Denied), code: domain.CodeConflict, rule: "C9"},

		{name: "certificate: for an approved item", given: aDone,
			when: &domain.IssueCertificate{CommandMeta: on(health, 3), Item: "a", Certificate: cert()}, then: []string{"CertificateIssued"}},
		{name: "certificate: also after completion", given: completed(),
			when: &domain.IssueCertificate{CommandMeta: on(police, 4), Item: "b", Certificate: cert()}, then: []string{"CertificateIssued"}},
		{name: "certificate: once", given: completed(),
			when: &domain.IssueCertificate{CommandMeta: on(health, 4), Item: "a", Certificate: cert()}, code: domain.CodeConflict, rule: "C16"},
		{name: "certificate: not for a denied item", given: with(started(), decideA(domain.Denied)),
			when: &domain.IssueCertificate{CommandMeta: on(health, 3), Item: "a", Certificate: cert()}, code: domain.CodeConflict, rule: "C16"},
		{name: "certificate: only by the item's department", given: aDone,
			when: &domain.IssueCertificate{CommandMeta: on(tax, 3), Item: "a", Certificate: cert()}, code: domain.CodeForbidden, rule: "C1"},
	}
}

func TestDecideItems(t *testing.T) { runGWT(t, itemCases()) }
