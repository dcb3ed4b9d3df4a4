package domain_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/google/uuid"
)

func rate(a domain.Actor, l domain.RatingLabel, tags ...string) *domain.RateCase {
	return &domain.RateCase{CommandMeta: on(a, 5), Label: l, ReasonTags: tags, Channel: domain.ChannelMobile}
}

func ratingCases() []gwt {
	rectified := with(triaged(domain.VerdictTrue), &domain.ReportRectification{CommandMeta: on(health, 7), Summary: "s"})
	appealed := with(triaged(domain.VerdictMalicious), &domain.AppealRating{CommandMeta: on(health, 7), Grounds: "g"})
	signOff := func() *domain.SignOffRating { return &domain.SignOffRating{CommandMeta: on(supervisor, 9), Notes: "n"} }
	return []gwt{
		{name: "rate: after completion", given: completed(), when: rate(applicant, domain.VerySatisfied), then: []string{"CaseRated"}},
		{name: "rate: after refusal", given: refused(), when: rate(applicant, domain.Satisfied), then: []string{"CaseRated"}},
		{name: "rate: once per case", given: ratedBad(), when: rate(applicant, domain.Satisfied), code: domain.CodeConflict, rule: "C19"},
		{name: "rate: not before completion", given: started(), when: rate(applicant, domain.Satisfied), code: domain.CodeConflict, rule: "C19"},
		{name: "rate: a bad rating needs reason tags", given: completed(), when: rate(applicant, domain.VeryDissatisfied), code: domain.CodeInvalid},
		{name: "rate: only the applicant", given: completed(), when: rate(stranger, domain.Satisfied), code: domain.CodeForbidden, rule: "C3"},

		{name: "callback: of a bad rating", given: ratedBad(),
			when: &domain.CallBackRating{CommandMeta: on(supervisor, 6), Notes: "n"}, then: []string{"RatingCalledBack"}},
		{name: "callback: not of a good rating", given: with(completed(), rate(applicant, domain.Satisfied)),
			when: &domain.CallBackRating{CommandMeta: on(supervisor, 6), Notes: "n"}, code: domain.CodeConflict, rule: "C20"},
		{name: "callback: once", given: calledBack(),
			when: &domain.CallBackRating{CommandMeta: on(supervisor, 6), Notes: "n"}, code: domain.CodeConflict, rule: "C20"},

		{name: "triage: founded, rectification due in the configured limit", given: calledBack(),
			when: &domain.TriageRating{CommandMeta: on(supervisor, 6), Verdict: domain.VerdictTrue, Reason: "r"},
			then: []string{"RatingTriaged"}, check: func(t *testing.T, evs []domain.Event) {
				// Sunday 03-08 + 5 working days.
				if got, want := event[*domain.RatingTriaged](t, evs).RectifyBy, date("2026-03-13"); got != want {
					t.Errorf("rectify by = %v, want %v", got, want)
				}
			}},
		{name: "triage: after the callback", given: ratedBad(),
			when: &domain.TriageRating{CommandMeta: on(supervisor, 6), Verdict: domain.VerdictTrue, Reason: "r"}, code: domain.CodeConflict, rule: "C20"},
		{name: "triage: supervisors of the region only", given: calledBack(),
			when: &domain.TriageRating{CommandMeta: on(domain.Actor{Role: domain.RoleSupervisor, PersonID: "s-9", Region: "110105"}, 6),
				Verdict: domain.VerdictTrue, Reason: "r"}, code: domain.CodeForbidden, rule: "C2"},

		{name: "rectification: after a founded verdict", given: triaged(domain.VerdictReasonable),
			when: &domain.ReportRectification{CommandMeta: on(health, 7), Summary: "s"}, then: []string{"RectificationReported"}},
		{name: "rectification: not after a malicious verdict", given: triaged(domain.VerdictMalicious),
			when: &domain.ReportRectification{CommandMeta: on(health, 7), Summary: "s"}, code: domain.CodeConflict, rule: "C20"},
		{name: "rectification: by a department of the case", given: triaged(domain.VerdictTrue),
			when: &domain.ReportRectification{CommandMeta: on(domain.Actor{Role: domain.RoleDepartment, PersonID: "f", Unit: "fire"}, 7), Summary: "s"},
			code: domain.CodeForbidden, rule: "C1"},

		{name: "appeal: against a malicious verdict", given: triaged(domain.VerdictMalicious),
			when: &domain.AppealRating{CommandMeta: on(health, 7), Grounds: "g"}, then: []string{"RatingAppealed"}},
		{name: "appeal: not against a founded verdict", given: triaged(domain.VerdictTrue),
			when: &domain.AppealRating{CommandMeta: on(health, 7), Grounds: "g"}, code: domain.CodeConflict, rule: "C20"},

		{name: "appeal decision: upheld", given: appealed,
			when: &domain.DecideAppeal{CommandMeta: on(supervisor, 8), Upheld: true, Reason: "r"}, then: []string{"AppealDecided"}},
		{name: "appeal decision: needs an appeal", given: triaged(domain.VerdictMalicious),
			when: &domain.DecideAppeal{CommandMeta: on(supervisor, 8), Reason: "r"}, code: domain.CodeConflict, rule: "C20"},

		{name: "sign-off: after rectification", given: rectified, when: signOff(), then: []string{"RatingSignedOff"}},
		{name: "sign-off: not before rectification", given: triaged(domain.VerdictTrue), when: signOff(), code: domain.CodeConflict, rule: "C20"},
		{name: "sign-off: not while an appeal is pending", given: appealed, when: signOff(), code: domain.CodeConflict, rule: "C20"},
		{name: "sign-off: once", given: with(rectified, signOff()), when: signOff(), code: domain.CodeConflict, rule: "C20"},
	}
}

func supervisionCases() []gwt {
	complaint := &domain.FileComplaint{CommandMeta: on(applicant, 2), Department: "health", Item: "a", Step: domain.StepHandle, Summary: "态度差"}
	complained := with(with(started(), step(health, 1, domain.ActionReturn)), complaint)
	complaintID := domain.EventID(caseID, complaint.ID, 0).String()
	answer := func(a domain.Actor) *domain.AnswerComplaint {
		return &domain.AnswerComplaint{CommandMeta: on(a, 4), ComplaintID: complaintID, Answer: "已整改"}
	}
	warn := func(day int, item string, l domain.WarningLevel) *domain.RaiseWarning {
		return &domain.RaiseWarning{CommandMeta: on(watcher, day), Item: item, Level: l}
	}
	duban := &domain.IssueDuban{CommandMeta: on(supervisor, 3), Item: "a", Reason: "临近超期", Reference: "DB-1"}
	dubanID := domain.EventID(caseID, duban.ID, 0).String()
	closeDuban := func() *domain.CloseDuban {
		return &domain.CloseDuban{CommandMeta: on(supervisor, 4), DubanID: dubanID, Result: "已办结"}
	}
	first := submit(window, allMaterials...)
	firstEvent := domain.EventID(caseID, first.ID, 0)
	correct := func(a domain.Actor, id uuid.UUID) *domain.CorrectEvent {
		return &domain.CorrectEvent{CommandMeta: on(a, 1), EventID: id, Field: "channel", Correction: "web", Reason: "录入错误"}
	}
	return []gwt{
		{name: "complaint: against a step, answered within the configured limit", given: with(started(), step(health, 1, domain.ActionReturn)),
			when: &domain.FileComplaint{CommandMeta: on(applicant, 2), Department: "health", Item: "a", Step: domain.StepHandle, Summary: "s"},
			then: []string{"ComplaintFiled"}, check: func(t *testing.T, evs []domain.Event) {
				if got, want := event[*domain.ComplaintFiled](t, evs).AnswerBy, date("2026-03-18"); got != want {
					t.Errorf("answer by = %v, want %v", got, want)
				}
			}},
		{name: "complaint: against a department of the case", given: started(),
			when: &domain.FileComplaint{CommandMeta: on(applicant, 2), Department: "fire", Summary: "s"}, code: domain.CodeConflict, rule: "C21"},
		{name: "complaint: against a step that happened", given: started(),
			when: &domain.FileComplaint{CommandMeta: on(applicant, 2), Department: "health", Item: "a", Step: domain.StepApprove, Summary: "s"},
			code: domain.CodeConflict, rule: "C21"},

		{name: "answer: by the department complained of", given: complained, when: answer(health), then: []string{"ComplaintAnswered"}},
		{name: "answer: by a supervisor", given: complained, when: answer(supervisor), then: []string{"ComplaintAnswered"}},
		{name: "answer: not by another department", given: complained, when: answer(tax), code: domain.CodeForbidden, rule: "C1"},
		{name: "answer: once", given: with(complained, answer(health)), when: answer(supervisor), code: domain.CodeConflict, rule: "C21"},
		{name: "answer: unknown complaint", given: started(),
			when: &domain.AnswerComplaint{CommandMeta: on(health, 4), ComplaintID: "x", Answer: "a"}, code: domain.CodeNotFound},

		{name: "warning: overdue after the due date", given: accepted(), when: warn(4, "c", domain.WarningOverdue), then: []string{"WarningRaised"}},
		{name: "warning: yellow when the policy says so", given: accepted(), when: warn(2, "c", domain.WarningYellow), then: []string{"WarningRaised"}},
		{name: "warning: yellow not while on time", given: accepted(), when: warn(0, "c", domain.WarningYellow), code: domain.CodeConflict, rule: "C22"},
		{name: "warning: overdue not before the due date", given: accepted(), when: warn(3, "c", domain.WarningOverdue), code: domain.CodeConflict, rule: "C22"},
		{name: "warning: once per item and level", given: with(accepted(), warn(4, "c", domain.WarningOverdue)),
			when: warn(5, "c", domain.WarningOverdue), code: domain.CodeConflict, rule: "C22"},
		{name: "warning: not while the clock is stopped", given: with(started(), suspend(1)),
			when: warn(10, "a", domain.WarningOverdue), code: domain.CodeConflict, rule: "C22"},
		{name: "warning: not on an item not yet dispatched", given: accepted(),
			when: warn(10, "b", domain.WarningOverdue), code: domain.CodeConflict, rule: "C22"},
		{name: "warning: only the watcher", given: accepted(),
			when: &domain.RaiseWarning{CommandMeta: on(supervisor, 4), Item: "c", Level: domain.WarningOverdue}, code: domain.CodeForbidden, rule: "C4"},

		{name: "督办: issued on an item", given: started(), when: duban, then: []string{"DubanIssued"}},
		{name: "督办: unknown item", given: started(),
			when: &domain.IssueDuban{CommandMeta: on(supervisor, 3), Item: "zz", Reason: "r", Reference: "DB"}, code: domain.CodeNotFound},
		{name: "督办: only supervisors", given: started(),
			when: &domain.IssueDuban{CommandMeta: on(window, 3), Reason: "r", Reference: "DB"}, code: domain.CodeForbidden, rule: "C4"},
		{name: "close 督办: with its result", given: with(started(), duban), when: closeDuban(), then: []string{"DubanClosed"}},
		{name: "close 督办: once", given: with(started(), duban, closeDuban()), when: closeDuban(), code: domain.CodeConflict, rule: "C23"},

		{name: "correction: references an event of the case", given: []domain.Command{first},
			when: correct(window, firstEvent), then: []string{"EventCorrected"}, check: func(t *testing.T, evs []domain.Event) {
				if got := event[*domain.EventCorrected](t, evs).Corrects; got != firstEvent {
					t.Errorf("corrects %v, want %v", got, firstEvent)
				}
			}},
		{name: "correction: an unknown event", given: submitted(), when: correct(window, uuid.New()), code: domain.CodeConflict, rule: "C24"},
		{name: "correction: not by the applicant", given: []domain.Command{first},
			when: correct(applicant, firstEvent), code: domain.CodeForbidden, rule: "C4"},
	}
}

func TestDecideRatings(t *testing.T)     { runGWT(t, ratingCases()) }
func TestDecideSupervision(t *testing.T) { runGWT(t, supervisionCases()) }
