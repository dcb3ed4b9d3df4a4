package casestatus_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/google/uuid"
)

var (
	window     = domain.Actor{Role: domain.RoleWindow, PersonID: "w-1", Unit: "centre-440300", Region: "440300"}
	department = domain.Actor{Role: domain.RoleDepartment, PersonID: "d-1", Unit: "police", Region: "440300"}
	allStatus  = []domain.Status{domain.StatusSubmitted, domain.StatusAccepted, domain.StatusRefused,
		domain.StatusCompleted, domain.StatusWithdrawn, domain.StatusTerminated}
)

func march(d int) workday.Date { return workday.NewDate(2026, 3, d) }

func metaOf(id string, day workday.Date, actor domain.Actor) domain.EventMeta {
	return domain.EventMeta{ID: uuid.New(), CaseID: id, CommandID: uuid.NewString(), Actor: actor,
		OccurredAt: day.Start().Add(10 * time.Hour)}
}

func submitted(id string, day workday.Date, actor domain.Actor, applicant, agent domain.SubjectRef) *domain.CaseSubmitted {
	e := &domain.CaseSubmitted{EventMeta: metaOf(id, day, actor), Region: "440300",
		Applicant: domain.Subject{Ref: applicant, Kind: domain.Person},
		Bundle:    catalogue.Bundle{Code: "newborn", Items: []catalogue.Item{{Code: "a", Department: "police"}}}}
	if agent != "" {
		e.Agent = &domain.Subject{Ref: agent, Kind: domain.Person}
	}
	return e
}

func appendCase(tb testing.TB, store eventstore.Store, id string, evs ...domain.Event) uint64 {
	tb.Helper()
	return projectiontest.MustAppendEvents(tb, store, id, evs...)
}

func mustRunner(tb testing.TB) (eventstore.Store, *projections.Runner) {
	tb.Helper()
	store, err := embedded.Open(tb.TempDir(), embedded.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	r, err := projections.Open(store, tb.TempDir(), projections.Options{}, casestatus.Projection{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return store, r
}

// TestStatusChangeMovesTheCaseBetweenRegionLists follows one case through
// its life: after each event it is listed under its current status only,
// once under its applicant and once under its agent, with the current
// summary, and the intake centre is the first window officer's.
func TestStatusChangeMovesTheCaseBetweenRegionLists(t *testing.T) {
	store, r := mustRunner(t)
	ctx := context.Background()
	applicant, agent := domain.SubjectRef("subj-applicant"), domain.SubjectRef("subj-agent")
	online := domain.Actor{Role: domain.RoleApplicant, PersonID: string(agent)}
	other := domain.Actor{Role: domain.RoleWindow, PersonID: "w-2", Unit: "centre-other", Region: "440300"}
	steps := []struct {
		name        string
		events      []domain.Event
		wantStatus  domain.Status
		wantPromise workday.Date
		wantCentre  string
	}{
		{"submitted online", []domain.Event{submitted(caseID, march(2), online, applicant, agent)},
			domain.StatusSubmitted, workday.Date{}, ""},
		{"supplement notice from a window", []domain.Event{&domain.SupplementRequested{
			EventMeta: metaOf(caseID, march(3), window), Missing: []string{"m"}, NoticeNumber: "N1"}},
			domain.StatusSubmitted, workday.Date{}, "centre-440300"},
		{"accepted by another centre's officer", []domain.Event{
			&domain.SupplementReceived{EventMeta: metaOf(caseID, march(4), online), Materials: []string{"m"}},
			&domain.CaseAccepted{EventMeta: metaOf(caseID, march(4), other), AcceptedOn: march(4), PromisedDue: march(20)}},
			domain.StatusAccepted, march(20), "centre-440300"},
		{"completed", []domain.Event{
			&domain.ItemDecided{EventMeta: metaOf(caseID, march(9), department), Item: "a", Outcome: domain.Approved},
			&domain.BundleCompleted{EventMeta: metaOf(caseID, march(9), domain.Actor{Role: domain.RoleSystem})}},
			domain.StatusCompleted, march(20), "centre-440300"},
	}
	for _, st := range steps {
		head := appendCase(t, store, caseID, st.events...)
		for _, status := range allStatus {
			p, err := casestatus.ListByRegion(ctx, r, "440300", status, head, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			var want []casestatus.Summary
			if status == st.wantStatus {
				want = []casestatus.Summary{{CaseID: caseID, Bundle: "newborn", Status: status, SubmittedOn: march(2), PromisedDue: st.wantPromise}}
			}
			if got := p.Cases; !slices.Equal(got, want) {
				t.Errorf("%s: region list of %s = %v, want %v", st.name, status, got, want)
			}
		}
		for _, ref := range []domain.SubjectRef{applicant, agent} {
			p, err := casestatus.ListBySubject(ctx, r, ref, head, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			want := []casestatus.Summary{{CaseID: caseID, Bundle: "newborn", Status: st.wantStatus, SubmittedOn: march(2), PromisedDue: st.wantPromise}}
			if got := p.Cases; !slices.Equal(got, want) {
				t.Errorf("%s: list of %s = %v, want %v", st.name, ref, got, want)
			}
		}
		got, err := casestatus.Get(ctx, r, caseID, head, march(10), workday.Default())
		if err != nil {
			t.Fatal(err)
		}
		if got.Centre != st.wantCentre || got.Applicant != applicant || got.Agent != agent {
			t.Errorf("%s: centre %q applicant %q agent %q, want %q %q %q", st.name,
				got.Centre, got.Applicant, got.Agent, st.wantCentre, applicant, agent)
		}
	}
}

func TestListRejectsBadCursorsAndLimits(t *testing.T) {
	store, r := mustRunner(t)
	ctx := context.Background()
	a, b := domain.SubjectRef("subj-a"), domain.SubjectRef("subj-b")
	const other = "5d3c0f7e-2f1a-4d8b-8c3e-1b2a3c4d5e6f"
	head := appendCase(t, store, caseID, submitted(caseID, march(2), window, a, ""))
	head = max(head, appendCase(t, store, other, submitted(other, march(3), window, a, b)))
	first, err := casestatus.ListBySubject(ctx, r, a, head, "", 1)
	if err != nil || first.Next == "" {
		t.Fatalf("first page of %s: %+v, %v; want one case and a next cursor", a, first, err)
	}
	region, err := casestatus.ListByRegion(ctx, r, "440300", "", head, "", 1)
	if err != nil || region.Next == "" {
		t.Fatalf("first page of the region: %+v, %v; want one case and a next cursor", region, err)
	}
	tests := []struct {
		name string
		list func() (casestatus.Page, error)
	}{
		{"cursor not base64url", func() (casestatus.Page, error) { return casestatus.ListBySubject(ctx, r, a, head, "%%%", 1) }},
		{"cursor of another subject", func() (casestatus.Page, error) { return casestatus.ListBySubject(ctx, r, b, head, first.Next, 1) }},
		{"region cursor for a subject", func() (casestatus.Page, error) { return casestatus.ListBySubject(ctx, r, a, head, region.Next, 1) }},
		{"cursor of all statuses for one", func() (casestatus.Page, error) {
			return casestatus.ListByRegion(ctx, r, "440300", domain.StatusRefused, head, region.Next, 1)
		}},
		{"negative limit", func() (casestatus.Page, error) { return casestatus.ListBySubject(ctx, r, a, head, "", -1) }},
		{"limit above the maximum", func() (casestatus.Page, error) {
			return casestatus.ListBySubject(ctx, r, a, head, "", casestatus.MaxLimit+1)
		}},
		{"no subject", func() (casestatus.Page, error) { return casestatus.ListBySubject(ctx, r, "", head, "", 1) }},
		{"no region", func() (casestatus.Page, error) { return casestatus.ListByRegion(ctx, r, "", "", head, "", 1) }},
		{"unknown status", func() (casestatus.Page, error) { return casestatus.ListByRegion(ctx, r, "440300", "lost", head, "", 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.list()
			if got, want := domain.ErrorCode(err), domain.CodeInvalid; got != want {
				t.Errorf("code %q (%v), want %q", got, err, want)
			}
		})
	}
	// The good cursor still works: the second page holds the older case.
	second, err := casestatus.ListBySubject(ctx, r, a, head, first.Next, 1)
	if err != nil || len(second.Cases) != 1 || second.Cases[0].CaseID != caseID || second.Next != "" {
		t.Errorf("second page of %s: %+v, %v; want case %s and no next cursor", a, second, err, caseID)
	}
}

// TestIndexKeysKeepTheirStoredLayout pins the index keys byte for byte,
// escaped names and dates included: Apply builds them in buffers, and a
// different key for the same case would need a new projection Version.
func TestIndexKeysKeepTheirStoredLayout(t *testing.T) {
	const id = "c-1/x%"
	// Every entry holds the case's Summary: format 1, the bundle's length
	// and bytes, "submitted" as enum 1, 2026-03-02 as its zigzag day offset
	// from 2020-01-01 plus 1 (4505) in a uvarint, and no promised due date.
	const summaryBytes = "\x01\x07newborn\x01\x99\x23\x00"
	tests := []struct {
		name             string
		region           string
		applicant, agent domain.SubjectRef
		want             []string
	}{
		{"applicant and agent", "440300", "subj-a", "subj-b", []string{
			"region/440300/submitted/2026-03-02/c-1%2Fx%25",
			"subject/subj-a/79739697/c-1%2Fx%25",
			"subject/subj-b/79739697/c-1%2Fx%25",
		}},
		{"agent who is the applicant", "440300", "subj-a", "subj-a", []string{
			"region/440300/submitted/2026-03-02/c-1%2Fx%25",
			"subject/subj-a/79739697/c-1%2Fx%25",
		}},
		{"names to escape", "44/03 00", "subj/a b", "", []string{
			"region/44%2F03%2000/submitted/2026-03-02/c-1%2Fx%25",
			"subject/subj%2Fa%20b/79739697/c-1%2Fx%25",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, r := mustRunner(t)
			ev := submitted(id, march(2), window, tt.applicant, tt.agent)
			ev.Region = tt.region
			head := appendCase(t, store, id, ev)
			var got []string
			err := r.Read(context.Background(), casestatus.Name, head, func(v *projections.View) error {
				for _, prefix := range []string{"region/", "subject/"} {
					err := v.Scan([]byte(prefix), func(k, val []byte) error {
						got = append(got, string(k))
						if string(val) != summaryBytes {
							t.Errorf("%s holds %x, want %x", k, val, summaryBytes)
						}
						return nil
					})
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("index keys\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
