package domain_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"
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

func TestDecideNeverBreaksInvariants(t *testing.T) {
	env := MustEnv(t)
	const steps = 200
	reached := map[string]int{}
	rapid.Check(t, func(t *rapid.T) {
		var s domain.State
		var history []domain.Event
		defer func() {
			for _, ev := range history {
				reached[ev.Type()]++
			}
		}()
		day := 0
		for i := range steps {
			day += rapid.IntRange(0, 2).Draw(t, "days")
			meta := func(natural domain.Actor) domain.CommandMeta {
				a := natural
				if rapid.IntRange(0, 9).Draw(t, "anyone") == 0 {
					a = rapid.SampledFrom(propActors).Draw(t, "actor")
				}
				return domain.CommandMeta{ID: "c" + strconv.Itoa(i), CaseID: caseID, Actor: a, At: propT0.AddDate(0, 0, day)}
			}
			if s.Status == domain.StatusNone && rapid.IntRange(0, 3).Draw(t, "submitFirst") > 0 {
				s, history = propStep(t, env, s, history, &domain.SubmitCase{CommandMeta: meta(window), BundleCode: "trio",
					Channel: domain.ChannelWeb, Applicant: domain.Subject{Ref: "subj-1", Kind: domain.Person},
					Region: "440300", Provided: rapid.SampledFrom([][]string{propMats, propMats[:3], {"id_card"}}).Draw(t, "provided")})
				continue
			}
			s, history = propStep(t, env, s, history, propCommand(t, s, meta))
		}
	})
	// The generator must reach deep into the lifecycle, or the properties
	// above hold vacuously. (Each of these shows up in most histories, so
	// the check holds also for the 20 histories of -short.)
	for _, typ := range []string{"CaseAccepted", "ItemDecided", "ItemSuspended", "BundleCompleted", "CaseRated"} {
		if reached[typ] == 0 {
			t.Errorf("no history reached %s: %v", typ, reached)
		}
	}
	t.Logf("events reached: %v", reached)
}

// propStep decides cmd and checks everything the decider promises about it.
func propStep(t *rapid.T, env domain.Env, s domain.State, history []domain.Event, cmd domain.Command) (domain.State, []domain.Event) {
	evs, err := domain.Decide(s, cmd, env)
	if err != nil {
		var e *domain.Error
		if !errors.As(err, &e) || e.Code == domain.CodeInternal {
			t.Fatalf("%T: error %v is not a domain error", cmd, err)
		}
		if evs != nil {
			t.Fatalf("%T: events with an error", cmd)
		}
		return s, history
	}
	if len(evs) == 0 {
		t.Fatalf("%T: no events and no error for a new command", cmd)
	}
	before := s
	seen := map[uuid.UUID]bool{}
	for _, ev := range history {
		seen[ev.Meta().ID] = true
	}
	for _, ev := range evs {
		m := ev.Meta()
		if m.CommandID != cmd.Metadata().ID || m.CaseID != caseID || seen[m.ID] || m.Actor.Role == "" {
			t.Fatalf("%s: bad metadata %+v", ev.Type(), m)
		}
		seen[m.ID] = true
		s = domain.Evolve(s, roundTrip(t, ev))
	}
	history = append(history, evs...)
	if replayed := domain.Replay(history); !reflect.DeepEqual(replayed, s) {
		t.Fatalf("Replay of the history differs from the folded state after %T", cmd)
	}
	if again, err := domain.Decide(s, cmd, env); err != nil || len(again) != 0 {
		t.Fatalf("%T retried: events %v, error %v", cmd, types(again), err)
	}
	checkInvariants(t, before, s, history)
	return s, history
}

// roundTrip encodes and decodes ev through the registry; the result must
// encode to the same bytes.
func roundTrip(t *rapid.T, ev domain.Event) domain.Event {
	typ, data, meta, err := domain.Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	back, err := domain.Decode(typ, data, meta)
	if err != nil {
		t.Fatal(err)
	}
	_, data2, _, _ := domain.Encode(back)
	if !bytes.Equal(data, data2) {
		t.Fatalf("%s does not survive encoding:\n%s\n%s", typ, data, data2)
	}
	return back
}

func checkInvariants(t *rapid.T, before, s domain.State, history []domain.Event) {
	if got, want := s.Version, len(history); got != want {
		t.Fatalf("version %d after %d events", got, want)
	}
	if before.Closed() && s.Status != before.Status {
		t.Fatalf("closed case moved from %s to %s", before.Status, s.Status)
	}
	counts := map[string]int{}
	for _, ev := range history {
		counts[ev.Type()]++
	}
	for _, once := range []string{"CaseSubmitted", "SupplementRequested", "CaseRated", "CaseAccepted", "BundleCompleted", "RatingSignedOff"} {
		if counts[once] > 1 {
			t.Fatalf("%d %s events", counts[once], once)
		}
	}
	running := 0
	for i, it := range s.Items {
		if i < len(before.Items) {
			if old := before.Items[i]; old.Settled() && (old.Status != it.Status || old.Outcome != it.Outcome) {
				t.Fatalf("settled item %s changed from %s/%s to %s/%s", it.Code, old.Status, old.Outcome, it.Status, it.Outcome)
			}
		}
		if it.Status == domain.ItemSent || it.Status == domain.ItemInProgress {
			running++
		}
		if it.Status == domain.ItemWaiting || it.Status == domain.ItemWithdrawn {
			continue
		}
		bi, _ := s.Bundle.Item(it.Code)
		for _, dep := range bi.DependsOn {
			d, _ := s.Item(dep)
			if d.Outcome != domain.Approved && d.Outcome != domain.ApprovedTolerance {
				t.Fatalf("item %s is %s but its dependency %s is %s/%s", it.Code, it.Status, dep, d.Status, d.Outcome)
			}
		}
	}
	if s.Bundle.Mode == "serial" && running > 1 {
		t.Fatalf("%d items running in a serial bundle", running)
	}
	if s.Status == domain.StatusAccepted && running == 0 {
		t.Fatalf("accepted case with nothing running: dispatch or completion was missed: %+v", s.Items)
	}
	if s.Status == domain.StatusCompleted {
		for _, it := range s.Items {
			if it.Status == domain.ItemSent || it.Status == domain.ItemInProgress {
				t.Fatalf("completed case with item %s %s", it.Code, it.Status)
			}
		}
	}
}
