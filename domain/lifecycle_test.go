package domain_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain"
)

func lifecycleCases() []gwt {
	withdrawItems := func(items ...string) *domain.WithdrawItems {
		return &domain.WithdrawItems{CommandMeta: on(applicant, 1), Items: items, Reason: "不再需要"}
	}
	terminate := func(a domain.Actor) *domain.TerminateCase {
		return &domain.TerminateCase{CommandMeta: on(a, 1), Reason: "申请人死亡", LegalBasis: "行政许可法第70条"}
	}
	deliver := func(m domain.DeliveryMethod, tracking string, items ...string) *domain.DeliverResults {
		return &domain.DeliverResults{CommandMeta: on(window, 5), Method: m, TrackingNumber: tracking, Items: items}
	}
	return []gwt{
		{name: "withdraw case: by the applicant", given: started(),
			when: &domain.WithdrawCase{CommandMeta: on(applicant, 1), Reason: "r"}, then: []string{"CaseWithdrawn"}},
		{name: "withdraw case: by the agent", given: submitted(),
			when: &domain.WithdrawCase{CommandMeta: on(agent, 1), Reason: "r"}, then: []string{"CaseWithdrawn"}},
		{name: "withdraw case: only one's own", given: submitted(),
			when: &domain.WithdrawCase{CommandMeta: on(stranger, 1), Reason: "r"}, code: domain.CodeForbidden, rule: "C3"},
		{name: "withdraw case: not once completed", given: completed(),
			when: &domain.WithdrawCase{CommandMeta: on(applicant, 5), Reason: "r"}, code: domain.CodeConflict, rule: "C7"},

		{name: "withdraw items: not yet started", given: started(), when: withdrawItems("b", "c"), then: []string{"ItemsWithdrawn"}},
		{name: "withdraw items: settling every item completes the bundle", given: accepted(), when: withdrawItems("a", "b", "c"),
			then: []string{"ItemsWithdrawn", "BundleCompleted"}},
		{name: "withdraw items: not an item its department started", given: started(), when: withdrawItems("a"),
			code: domain.CodeConflict, rule: "C18"},
		{name: "withdraw items: only from an accepted case", given: submitted(), when: withdrawItems("a"),
			code: domain.CodeConflict, rule: "C6"},

		{name: "terminate: by a supervisor", given: started(), when: terminate(supervisor), then: []string{"CaseTerminated"}},
		{name: "terminate: not by the applicant", given: started(), when: terminate(applicant), code: domain.CodeForbidden, rule: "C4"},
		{name: "terminate: not a refused case", given: refused(), when: terminate(window), code: domain.CodeConflict, rule: "C7"},

		{name: "deliver: pickup after completion", given: completed(), when: deliver(domain.DeliverPickup, "", "a"),
			then: []string{"ResultsDelivered"}},
		{name: "deliver: e-certificate push", given: completed(), when: deliver(domain.DeliverECert, "", "a"),
			then: []string{"ResultsDelivered"}},
		{name: "deliver: post needs a tracking number", given: completed(), when: deliver(domain.DeliverPost, "", "a"),
			code: domain.CodeConflict, rule: "C17"},
		{name: "deliver: only certified items", given: completed(), when: deliver(domain.DeliverPost, "SF123", "b"),
			code: domain.CodeConflict, rule: "C17"},
		{name: "deliver: only after completion", given: started(), when: deliver(domain.DeliverPickup, "", "a"),
			code: domain.CodeConflict, rule: "C17"},
	}
}

func TestDecideLifecycle(t *testing.T) { runGWT(t, lifecycleCases()) }
