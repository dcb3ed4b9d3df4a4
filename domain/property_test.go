package domain_test

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

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

// TestEvolveAcceptsAnyHistory feeds Evolve the events of real decisions in
// random order, with repeats and gaps: it must never panic, because
// history is fact even when it does not fit the rules of today.
func TestEvolveAcceptsAnyHistory(t *testing.T) {
	env := MustEnv(t)
	pool := MustRun(t, env, with(ratedBad(), &domain.CallBackRating{CommandMeta: on(supervisor, 6), Notes: "n"})...)
	pool = append(pool, MustRun(t, env, with(started(), suspend(1), &domain.RequestSupplement{CommandMeta: on(tax, 1), Missing: []string{"photo"}, NoticeNumber: "BZ"})...)...)
	rapid.Check(t, func(t *rapid.T) {
		evs := rapid.SliceOfN(rapid.SampledFrom(pool), 0, 60).Draw(t, "events")
		s := domain.Replay(evs)
		if got, want := s.Version, len(evs); got != want {
			t.Fatalf("version %d after %d events", got, want)
		}
	})
}
