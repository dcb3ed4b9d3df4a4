package casestatus_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
)

// MustSharedHistory appends a generated history in which the applicants and
// agents are drawn from subjects shared references, so that one subject has
// many cases (casegen gives every case its own applicant) and some subject
// is the applicant of one case and the agent of another. It returns the
// case IDs and the head.
func MustSharedHistory(tb testing.TB, store eventstore.Store, cases, subjects int) ([]string, uint64) {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	g, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	shared := func(i int) domain.SubjectRef { return domain.SubjectRef(fmt.Sprintf("subj/shared-%d", i%subjects)) }
	var ids []string
	var head uint64
	for a := range g.All() {
		if a.Expected == eventstore.NoStream {
			ids = append(ids, a.CaseID)
		}
		for i, d := range a.Events {
			if d.Type != (*domain.CaseSubmitted)(nil).Type() {
				continue
			}
			ev, err := domain.Decode(d.Type, d.Data, d.Metadata)
			if err != nil {
				tb.Fatal(err)
			}
			sub := ev.(*domain.CaseSubmitted)
			sub.Applicant.Ref = shared(len(ids))
			if sub.Agent != nil {
				sub.Agent.Ref = shared(len(ids) + 1)
			}
			if a.Events[i], err = domain.EventData(sub); err != nil {
				tb.Fatal(err)
			}
		}
		res, err := store.Append(context.Background(), a.Stream, a.Expected, a.Events...)
		if err != nil {
			tb.Fatal(err)
		}
		head = res.LastPosition
	}
	if err := g.Err(); err != nil {
		tb.Fatal(err)
	}
	return ids, head
}

// listed is a case as the domain fold says it must be listed.
type listed struct {
	summary casestatus.Summary
	region  string
	refs    []domain.SubjectRef
}

// oracle folds every case with domain.Replay.
func oracle(tb testing.TB, store eventstore.Store, ids []string) []listed {
	tb.Helper()
	out := make([]listed, len(ids))
	for i, id := range ids {
		s := replayCase(tb, store, id)
		out[i] = listed{
			summary: casestatus.Summary{CaseID: id, Bundle: s.Bundle.Code, Status: s.Status,
				SubmittedOn: s.SubmittedAt, PromisedDue: s.Acceptance.PromisedDue},
			region: s.Region,
			refs:   []domain.SubjectRef{s.Applicant.Ref},
		}
		if s.Agent != nil && s.Agent.Ref != s.Applicant.Ref {
			out[i].refs = append(out[i].refs, s.Agent.Ref)
		}
	}
	return out
}

// collect pages through a list with limit, checking every page's size.
func collect(t *testing.T, limit int, page func(cursor string) (casestatus.Page, error)) ([]casestatus.Summary, int) {
	t.Helper()
	var all []casestatus.Summary
	cursor, pages := "", 0
	for {
		p, err := page(cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(p.Cases) > limit || (p.Next != "" && len(p.Cases) != limit) {
			t.Fatalf("page %d holds %d cases with next %q, limit %d", pages, len(p.Cases), p.Next, limit)
		}
		all = append(all, p.Cases...)
		if p.Next == "" {
			return all, pages
		}
		cursor = p.Next
	}
}

func mustSharedRunner(t *testing.T, cases, subjects int) (*projections.Runner, []listed, uint64) {
	t.Helper()
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ids, head := MustSharedHistory(t, store, cases, subjects)
	r, err := projections.Open(store, t.TempDir(), projections.Options{}, casestatus.Projection{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, oracle(t, store, ids), head
}

// sharedCases is the size of the shared histories; sharedSubjects makes
// about a dozen cases per subject, so lists take several pages.
func sharedCases() int {
	if testing.Short() {
		return 60
	}
	return 150
}

const sharedSubjects = 7

func TestEveryCaseIsListedOnceUnderEachOfItsSubjects(t *testing.T) {
	r, want, head := mustSharedRunner(t, sharedCases(), sharedSubjects)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bySubject := map[domain.SubjectRef][]casestatus.Summary{}
	for _, c := range want {
		for _, ref := range c.refs {
			bySubject[ref] = append(bySubject[ref], c.summary)
		}
	}
	const limit = 4
	multiPage := false
	for ref, cases := range bySubject {
		got, pages := collect(t, limit, func(cursor string) (casestatus.Page, error) {
			return casestatus.ListBySubject(ctx, r, ref, head, cursor, limit)
		})
		multiPage = multiPage || pages > 2
		// Newest first; the same day by case ID.
		slices.SortFunc(cases, func(a, b casestatus.Summary) int {
			return cmp.Or(b.SubmittedOn.Compare(a.SubmittedOn), strings.Compare(a.CaseID, b.CaseID))
		})
		if !slices.Equal(got, cases) {
			t.Errorf("subject %s: listed %d cases\n%v\nwant %d\n%v", ref, len(got), got, len(cases), cases)
		}
	}
	if !multiPage {
		t.Errorf("no subject's list took more than two pages of %d; the history proves little about paging", limit)
	}
}

func TestRegionListsEqualBruteForce(t *testing.T) {
	r, want, head := mustSharedRunner(t, sharedCases(), sharedSubjects)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Brute force in the documented order: status, then oldest first, then
	// case ID.
	slices.SortFunc(want, func(a, b listed) int {
		return cmp.Or(strings.Compare(string(a.summary.Status), string(b.summary.Status)),
			a.summary.SubmittedOn.Compare(b.summary.SubmittedOn), strings.Compare(a.summary.CaseID, b.summary.CaseID))
	})
	regions := map[string]bool{}
	for _, c := range want {
		regions[c.region] = true
	}
	statuses := []domain.Status{domain.StatusNone, domain.StatusSubmitted, domain.StatusAccepted, domain.StatusRefused,
		domain.StatusCompleted, domain.StatusWithdrawn, domain.StatusTerminated}
	const limit = 7
	for region := range regions {
		for _, status := range statuses {
			var cases []casestatus.Summary
			for _, c := range want {
				if c.region == region && (status == domain.StatusNone || c.summary.Status == status) {
					cases = append(cases, c.summary)
				}
			}
			got, _ := collect(t, limit, func(cursor string) (casestatus.Page, error) {
				return casestatus.ListByRegion(ctx, r, region, status, head, cursor, limit)
			})
			if !slices.Equal(got, cases) {
				t.Errorf("region %s status %q: listed %d cases\n%v\nwant %d\n%v", region, status, len(got), got, len(cases), cases)
			}
		}
	}
	subjectPairs := 0
	for _, c := range want {
		subjectPairs += len(c.refs)
	}
	logIndexSize(t, r, head, len(want), subjectPairs)
}

// logIndexSize reports the stored bytes of the index entries per case, and
// checks that there are exactly as many entries as subject-case pairs and
// cases: no stale entry survives.
func logIndexSize(t *testing.T, r *projections.Runner, head uint64, cases, subjectPairs int) {
	t.Helper()
	counts, bytes := map[string]int{}, 0
	err := r.Read(context.Background(), casestatus.Name, head, func(v *projections.View) error {
		return v.Scan(nil, func(k, val []byte) error {
			kind, _, _ := strings.Cut(string(k), "/")
			counts[kind]++
			if kind != "case" {
				bytes += len(k) + len(val)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := counts["region"], cases; got != want {
		t.Errorf("%d region index entries, want one per case (%d)", got, want)
	}
	if got, want := counts["subject"], subjectPairs; got != want {
		t.Errorf("%d subject index entries, want one per case and subject (%d)", got, want)
	}
	t.Logf("%d cases: %v keys; index entries %d bytes per case (keys and values)", cases, counts, bytes/cases)
}
