package domain_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
)

func intakeCases() []gwt {
	missing := []domain.Command{submit(window, "id_card")}
	minorOnly := []domain.Command{submit(window, "id_card", "household_register", "bank_account")}
	afterNotice := with(missing, &domain.RequestSupplement{CommandMeta: on(window, 1),
		Missing: []string{"household_register", "photo", "bank_account"}, NoticeNumber: "BZ-1"})
	tolerant := with(minorOnly, &domain.AcceptWithTolerance{CommandMeta: on(window, 0), AcceptanceNumber: "SL-1",
		CommitmentRef: "CN-1", DueBy: date("2026-03-06"), CreditCheck: domain.CreditCheck{Ref: "CR-1"}})
	accept := func(a domain.Actor) *domain.AcceptCase {
		return &domain.AcceptCase{CommandMeta: on(a, 0), AcceptanceNumber: "SL-1"}
	}
	tolerance := func(dueBy string, dishonest bool) *domain.AcceptWithTolerance {
		return &domain.AcceptWithTolerance{CommandMeta: on(window, 0), AcceptanceNumber: "SL-1", CommitmentRef: "CN-1",
			DueBy: date(dueBy), CreditCheck: domain.CreditCheck{Ref: "CR-1", Dishonest: dishonest}}
	}
	refuse := func(a domain.Actor) *domain.RefuseCase {
		return &domain.RefuseCase{CommandMeta: on(a, 0), Reason: "不符合条件", LegalBasis: "行政许可法第32条", NoticeNumber: "BY-1"}
	}
	notice := func(a domain.Actor, day int, missing ...string) *domain.RequestSupplement {
		return &domain.RequestSupplement{CommandMeta: on(a, day), Missing: missing, NoticeNumber: "BZ-1"}
	}
	receive := func(a domain.Actor, day int, materials ...string) *domain.ReceiveSupplement {
		return &domain.ReceiveSupplement{CommandMeta: on(a, day), Materials: materials}
	}
	supply := func(materials ...string) *domain.SupplyToleranceMaterials {
		return &domain.SupplyToleranceMaterials{CommandMeta: on(window, 2), Materials: materials}
	}
	return []gwt{
		{name: "submit: applicant submits, pre-check lists missing materials", when: submit(applicant, "id_card"),
			then: []string{"CaseSubmitted", "CasePrechecked"}, check: func(t *testing.T, evs []domain.Event) {
				p := event[*domain.CasePrechecked](t, evs)
				if got, want := p.MissingKey, []string{"household_register"}; !slices.Equal(got, want) {
					t.Errorf("missing key = %v, want %v", got, want)
				}
				if got, want := p.MissingMinor, []string{"photo", "bank_account"}; !slices.Equal(got, want) {
					t.Errorf("missing minor = %v, want %v", got, want)
				}
				if got, want := p.Actor.Role, domain.RoleSystem; got != want {
					t.Errorf("pre-check actor = %v, want %v", got, want)
				}
			}},
		{name: "submit: snapshot of the bundle and catalogue version", when: submit(agent, allMaterials...),
			then: []string{"CaseSubmitted", "CasePrechecked"}, check: func(t *testing.T, evs []domain.Event) {
				s := event[*domain.CaseSubmitted](t, evs)
				if got, want := s.CatalogueVersion, "test@1"; got != want {
					t.Errorf("catalogue version = %q, want %q", got, want)
				}
				if got, want := len(s.Bundle.Items), 3; got != want {
					t.Errorf("snapshot items = %d, want %d", got, want)
				}
			}},
		{name: "submit: an applicant submits only for themselves", when: submit(stranger), code: domain.CodeForbidden, rule: "C3"},
		{name: "submit: a window officer submits only in their region", when: submit(farWindow), code: domain.CodeForbidden, rule: "C2"},
		{name: "submit: department officers do not submit", when: submit(health), code: domain.CodeForbidden, rule: "C4"},
		{name: "submit: a case is submitted once", given: submitted(), when: submit(window), code: domain.CodeConflict, rule: "C5"},
		{name: "submit: unknown bundle", when: &domain.SubmitCase{CommandMeta: on(window, 0), BundleCode: "nope",
			Channel: domain.ChannelWeb, Applicant: domain.Subject{Ref: "subj-1", Kind: domain.Person}, Region: "440300"},
			code: domain.CodeNotFound},
		{name: "submit: display values in clear are refused", when: &domain.SubmitCase{CommandMeta: on(window, 0), BundleCode: "trio",
			Channel: domain.ChannelWeb, Applicant: domain.Subject{Ref: "subj-1", Kind: domain.Person, MaskedID: "110105199001011234"},
			Region: "440300"}, code: domain.CodeInvalid},
		{name: "submit: materials of the bundle only", when: submit(window, "passport"), code: domain.CodeInvalid},
		{name: "submit: unknown channel is invalid", when: &domain.SubmitCase{CommandMeta: on(window, 0), BundleCode: "trio",
			Channel: "fax", Applicant: domain.Subject{Ref: "subj-1", Kind: domain.Person}, Region: "440300"},
			code: domain.CodeInvalid},

		{name: "refuse: 不予受理 at intake", given: submitted(), when: refuse(window), then: []string{"CaseRefused"}},
		{name: "refuse: no case yet", when: refuse(window), code: domain.CodeNotFound, rule: "C5"},
		{name: "refuse: not by a department", given: submitted(), when: refuse(health), code: domain.CodeForbidden, rule: "C4"},
		{name: "refuse: not by another region's window", given: submitted(), when: refuse(farWindow), code: domain.CodeForbidden, rule: "C2"},
		{name: "refuse: intake is decided once", given: accepted(), when: refuse(window), code: domain.CodeConflict, rule: "C5"},
		{name: "refuse: not after withdrawal", given: with(submitted(), &domain.WithdrawCase{CommandMeta: on(applicant, 0), Reason: "r"}),
			when: refuse(window), code: domain.CodeConflict, rule: "C7"},

		{name: "supplement: one notice lists every missing material", given: missing,
			when: notice(window, 1, "photo", "bank_account", "household_register"), then: []string{"SupplementRequested"}},
		{name: "supplement: due within 5 working days of receipt", given: missing,
			when: notice(window, 8, "photo", "bank_account", "household_register"), code: domain.CodeConflict, rule: "C10"},
		{name: "supplement: a partial notice is refused", given: missing, when: notice(window, 1, "photo"), code: domain.CodeConflict, rule: "C10"},
		{name: "supplement: only one notice per case", given: afterNotice,
			when: notice(window, 2, "household_register", "photo", "bank_account"), code: domain.CodeConflict, rule: "C10"},
		{name: "supplement: nothing missing, no notice", given: submitted(), when: notice(window, 1, "photo"), code: domain.CodeConflict, rule: "C10"},
		{name: "supplement: after acceptance by a department with a running item", given: started(),
			when: notice(health, 1, "photo"), then: []string{"SupplementRequested"}},
		{name: "supplement: after acceptance not by a department without a running item", given: accepted(),
			when: notice(police, 1, "photo"), code: domain.CodeForbidden, rule: "C1"},

		{name: "receive supplement: materials asked for", given: afterNotice, when: receive(window, 2, "photo", "household_register"),
			then: []string{"SupplementReceived"}},
		{name: "receive supplement: moves the due dates by the paused working days",
			given: with(started(), notice(health, 1, "photo")), when: receive(health, 3, "photo"),
			then: []string{"SupplementReceived"}, check: func(t *testing.T, evs []domain.Event) {
				// a is due 03-09; paused (03-03, 03-05]: 2 working days.
				r := event[*domain.SupplementReceived](t, evs)
				want := []domain.ItemDue{{Item: "a", Due: date("2026-03-11")}, {Item: "c", Due: date("2026-03-09")}}
				if got := r.Due; !slices.Equal(got, want) {
					t.Errorf("due = %v, want %v", got, want)
				}
			}},
		{name: "receive supplement: no notice open", given: submitted(), when: receive(window, 2, "photo"), code: domain.CodeConflict, rule: "C10"},
		{name: "receive supplement: material not asked for", given: afterNotice, when: receive(window, 2, "id_card"), code: domain.CodeConflict, rule: "C10"},

		{name: "accept: dispatches the items without dependencies", given: submitted(), when: accept(window),
			then: []string{"CaseAccepted", "ItemDispatched", "ItemDispatched"}, check: func(t *testing.T, evs []domain.Event) {
				a := event[*domain.CaseAccepted](t, evs)
				if got, want := a.PromisedDue, date("2026-03-16"); got != want {
					t.Errorf("promised due = %v, want %v", got, want)
				}
				if got, want := a.CalendarVersion, workday.Default().Version(); got != want {
					t.Errorf("calendar version = %q, want %q", got, want)
				}
				d := event[*domain.ItemDispatched](t, evs)
				if got, want := [2]string{d.Item, d.Due.String()}, [2]string{"a", "2026-03-09"}; got != want {
					t.Errorf("first dispatch = %v, want %v", got, want)
				}
			}},
		{name: "accept: without a notice in 5 working days it counts from receipt", given: submitted(),
			when: &domain.AcceptCase{CommandMeta: on(window, 8), AcceptanceNumber: "SL-1"},
			then: []string{"CaseAccepted", "ItemDispatched", "ItemDispatched"}, check: func(t *testing.T, evs []domain.Event) {
				a := event[*domain.CaseAccepted](t, evs)
				if got, want := [3]string{a.AcceptedOn.String(), a.PromisedDue.String(), fmt.Sprint(a.FromReceipt)},
					[3]string{"2026-03-02", "2026-03-16", "true"}; got != want {
					t.Errorf("accepted on, promised due, from receipt = %v, want %v", got, want)
				}
			}},
		{name: "accept: every material is needed", given: minorOnly, when: accept(window), code: domain.CodeConflict, rule: "C11"},
		{name: "accept: not by the applicant", given: submitted(), when: accept(applicant), code: domain.CodeForbidden, rule: "C4"},
		{name: "accept: once", given: accepted(), when: accept(window), code: domain.CodeConflict, rule: "C5"},

		{name: "tolerance: minor materials missing, commitment signed", given: minorOnly, when: tolerance("2026-03-06", false),
			then: []string{"CaseAccepted", "ItemDispatched", "ItemDispatched"}, check: func(t *testing.T, evs []domain.Event) {
				tol := event[*domain.CaseAccepted](t, evs).Tolerance
				if tol == nil || !slices.Equal(tol.Missing, []string{"photo"}) {
					t.Errorf("tolerance = %+v, want photo missing", tol)
				}
			}},
		{name: "tolerance: not for the dishonest", given: minorOnly, when: tolerance("2026-03-06", true), code: domain.CodeConflict, rule: "C11"},
		{name: "tolerance: not with key materials missing", given: missing, when: tolerance("2026-03-06", false), code: domain.CodeConflict, rule: "C11"},
		{name: "tolerance: not when nothing is missing", given: submitted(), when: tolerance("2026-03-06", false), code: domain.CodeConflict, rule: "C11"},
		{name: "tolerance: due no later than the promised date", given: minorOnly, when: tolerance("2026-03-17", false), code: domain.CodeConflict, rule: "C11"},

		{name: "tolerance materials: received", given: tolerant, when: supply("photo"), then: []string{"ToleranceMaterialsReceived"}},
		{name: "tolerance materials: only outstanding ones", given: tolerant, when: supply("id_card"), code: domain.CodeConflict, rule: "C25"},
		{name: "tolerance materials: none outstanding without tolerance", given: accepted(), when: supply("photo"), code: domain.CodeConflict, rule: "C25"},

		{name: "lapse: the case ends when materials never come", given: tolerant,
			when: &domain.LapseTolerance{CommandMeta: on(watcher, 5)}, then: []string{"CaseTerminated"}},
		{name: "lapse: not before the committed date", given: tolerant,
			when: &domain.LapseTolerance{CommandMeta: on(watcher, 4)}, code: domain.CodeConflict, rule: "C25"},
		{name: "lapse: not once the materials came", given: with(tolerant, supply("photo")),
			when: &domain.LapseTolerance{CommandMeta: on(watcher, 9)}, code: domain.CodeConflict, rule: "C25"},
		{name: "lapse: only the watcher", given: tolerant,
			when: &domain.LapseTolerance{CommandMeta: on(window, 9)}, code: domain.CodeForbidden, rule: "C4"},
	}
}

func TestDecideIntake(t *testing.T) { runGWT(t, intakeCases()) }
