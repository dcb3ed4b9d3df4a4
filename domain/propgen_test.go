package domain_test

import (
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// propT0 is in UTC so that events survive a JSON round trip deep-equal.
var propT0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

var (
	propActors = []domain.Actor{applicant, agent, stranger, window, farWindow, health, police, tax, supervisor, watcher}
	propItems  = []string{"a", "b", "c", "first", "second", "zz"}
	propMats   = []string{"id_card", "photo", "household_register", "bank_account"}
	byDept     = map[string]domain.Actor{"health": health, "police": police, "tax": tax}
)

// propCommand draws a command of a random kind. Its actor is usually the
// one the kind needs, sometimes anyone, so refusals are exercised too.
func propCommand(t *rapid.T, s domain.State, meta func(natural domain.Actor) domain.CommandMeta) domain.Command {
	var running []string
	for _, it := range s.Items {
		if it.Status == domain.ItemSent || it.Status == domain.ItemInProgress {
			running = append(running, it.Code)
		}
	}
	item := rapid.SampledFrom(propItems).Draw(t, "item")
	if len(running) > 0 && rapid.IntRange(0, 4).Draw(t, "runningItem") > 0 {
		item = rapid.SampledFrom(running).Draw(t, "item")
	}
	dept := window
	if it, ok := s.Item(item); ok {
		dept = byDept[it.Department]
	}
	mats := rapid.SliceOfNDistinct(rapid.SampledFrom(propMats), 0, 4, rapid.ID[string]).Draw(t, "materials")
	intake := []func() domain.Command{
		func() domain.Command {
			return &domain.SubmitCase{CommandMeta: meta(window), BundleCode: rapid.SampledFrom([]string{"trio", "chain"}).Draw(t, "bundle"),
				Channel: domain.ChannelWeb, Applicant: domain.Subject{Ref: "subj-1", Kind: domain.Person},
				Agent: &domain.Subject{Ref: "subj-agent", Kind: domain.Person}, Region: "440300", Provided: mats}
		},
		func() domain.Command {
			return &domain.RequestSupplement{CommandMeta: meta(window), Missing: append(s.MissingKey, s.MissingMinor...), NoticeNumber: "n"}
		},
		func() domain.Command {
			return &domain.RequestSupplement{CommandMeta: meta(dept), Missing: mats, NoticeNumber: "n"}
		},
		func() domain.Command {
			return &domain.ReceiveSupplement{CommandMeta: meta(window), Materials: s.Supplement.Missing}
		},
		func() domain.Command { return &domain.AcceptCase{CommandMeta: meta(window), AcceptanceNumber: "SL"} },
		func() domain.Command {
			return &domain.AcceptWithTolerance{CommandMeta: meta(window), AcceptanceNumber: "SL", CommitmentRef: "CN",
				DueBy:       workday.DateOf(propT0).AddDays(rapid.IntRange(1, 12).Draw(t, "dueBy")),
				CreditCheck: domain.CreditCheck{Ref: "CR", Dishonest: rapid.Bool().Draw(t, "dishonest")}}
		},
		func() domain.Command {
			return &domain.SupplyToleranceMaterials{CommandMeta: meta(window), Materials: mats}
		},
	}
	items := []func() domain.Command{
		func() domain.Command { return &domain.AcceptItem{CommandMeta: meta(dept), Item: item} },
		func() domain.Command {
			return &domain.RecordStep{CommandMeta: meta(dept), Item: item, Step: domain.StepReview, Action: domain.ActionPass, Opinion: "o"}
		},
		func() domain.Command { return &domain.SuspendItem{CommandMeta: meta(dept), Item: item, Reason: "r"} },
		func() domain.Command { return &domain.ResumeItem{CommandMeta: meta(dept), Item: item} },
		func() domain.Command {
			return &domain.StartSpecialProcedure{CommandMeta: meta(dept), Item: item, Kind: domain.SpecialHearing, Reason: "r"}
		},
		func() domain.Command {
			return &domain.EndSpecialProcedure{CommandMeta: meta(dept), Item: item, Result: "r"}
		},
		func() domain.Command {
			return &domain.ExtendDeadline{CommandMeta: meta(dept), Item: item, By: workday.Days(rapid.IntRange(1, 3).Draw(t, "ext")),
				ApprovalRef: "YC", Reason: "r"}
		},
		func() domain.Command {
			o := rapid.SampledFrom([]domain.Outcome{domain.Approved, domain.Approved, domain.ApprovedTolerance, domain.Denied}).Draw(t, "outcome")
			return &domain.DecideItem{CommandMeta: meta(dept), Item: item, Outcome: o, LegalBasis: "l", Opinion: "o"}
		},
		func() domain.Command {
			l := rapid.SampledFrom([]domain.WarningLevel{domain.WarningYellow, domain.WarningOverdue}).Draw(t, "level")
			return &domain.RaiseWarning{CommandMeta: meta(watcher), Item: item, Level: l}
		},
		func() domain.Command {
			return &domain.IssueDuban{CommandMeta: meta(supervisor), Item: item, Reason: "r", Reference: "DB"}
		},
		func() domain.Command {
			id := ""
			if len(s.Dubans) > 0 {
				id = s.Dubans[0].ID
			}
			return &domain.CloseDuban{CommandMeta: meta(supervisor), DubanID: id, Result: "r"}
		},
	}
	// Weight the steps that move an item forward (accept, resume, end a
	// procedure, decide), so cases reach completion.
	items = append(items, items[0], items[3], items[5], items[7], items[7], items[7],
		func() domain.Command {
			return &domain.ReceiveSupplement{CommandMeta: meta(dept), Materials: s.Supplement.Missing}
		})
	followUp := []func() domain.Command{
		func() domain.Command {
			return &domain.IssueCertificate{CommandMeta: meta(dept), Item: item, Certificate: domain.Certificate{Name: "c", Number: "n",
				ECertRef: "e", IssuingUnit: "u", ValidFrom: workday.DateOf(propT0)}}
		},
		func() domain.Command {
			return &domain.DeliverResults{CommandMeta: meta(window), Method: domain.DeliverPost, TrackingNumber: "SF", Items: []string{item}}
		},
		func() domain.Command {
			l := rapid.SampledFrom([]domain.RatingLabel{domain.VerySatisfied, domain.Dissatisfied, domain.VeryDissatisfied}).Draw(t, "label")
			return &domain.RateCase{CommandMeta: meta(applicant), Label: l, ReasonTags: []string{"超时"}, Channel: domain.ChannelWeb}
		},
		func() domain.Command { return &domain.CallBackRating{CommandMeta: meta(supervisor), Notes: "n"} },
		func() domain.Command {
			v := rapid.SampledFrom([]domain.Verdict{domain.VerdictTrue, domain.VerdictReasonable, domain.VerdictMalicious}).Draw(t, "verdict")
			return &domain.TriageRating{CommandMeta: meta(supervisor), Verdict: v, Reason: "r"}
		},
		func() domain.Command { return &domain.ReportRectification{CommandMeta: meta(health), Summary: "s"} },
		func() domain.Command { return &domain.AppealRating{CommandMeta: meta(health), Grounds: "g"} },
		func() domain.Command {
			return &domain.DecideAppeal{CommandMeta: meta(supervisor), Upheld: rapid.Bool().Draw(t, "upheld"), Reason: "r"}
		},
		func() domain.Command { return &domain.SignOffRating{CommandMeta: meta(supervisor), Notes: "n"} },
		func() domain.Command {
			return &domain.FileComplaint{CommandMeta: meta(applicant), Department: "health", Summary: "s"}
		},
		func() domain.Command {
			id := ""
			if len(s.Complaints) > 0 {
				id = s.Complaints[0].ID
			}
			return &domain.AnswerComplaint{CommandMeta: meta(supervisor), ComplaintID: id, Answer: "a"}
		},
		func() domain.Command {
			id := uuid.Nil
			for k := range s.Events {
				id = k
				break
			}
			return &domain.CorrectEvent{CommandMeta: meta(supervisor), EventID: id, Field: "f", Correction: "c", Reason: "r"}
		},
	}
	// Kinds that end a case early are rare, so histories get deep.
	rare := []func() domain.Command{
		func() domain.Command {
			return &domain.RefuseCase{CommandMeta: meta(window), Reason: "r", LegalBasis: "l", NoticeNumber: "n"}
		},
		func() domain.Command { return &domain.LapseTolerance{CommandMeta: meta(watcher)} },
		func() domain.Command { return &domain.WithdrawCase{CommandMeta: meta(applicant), Reason: "r"} },
		func() domain.Command {
			return &domain.WithdrawItems{CommandMeta: meta(applicant), Items: []string{item}, Reason: "r"}
		},
		func() domain.Command {
			return &domain.TerminateCase{CommandMeta: meta(supervisor), Reason: "r", LegalBasis: "l"}
		},
	}
	// Mostly draw what fits the case's phase; sometimes anything.
	kinds := intake
	switch s.Status {
	case domain.StatusAccepted:
		kinds = items
	case domain.StatusCompleted, domain.StatusRefused:
		kinds = followUp
	}
	// One band of draws ends the case early (about two histories in three
	// end so), another draws any kind at all. The bands avoid 0 and the
	// bounds, which rapid draws far more often than their share.
	switch g := rapid.IntRange(0, 999).Draw(t, "group"); {
	case g >= 500 && g < 600:
		kinds = rare
	case g >= 300 && g < 350:
		kinds = slices.Concat(intake, items, followUp)
	}
	return rapid.SampledFrom(kinds).Draw(t, "kind")()
}
