package dispute_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/dispute"
	"github.com/caseledger/caseledger/projections/projectiontest"
)

func historyCases() int {
	if testing.Short() {
		return 150
	}
	return 250
}

// MustAppends generates a history in which complaints and bad ratings are
// common enough to exercise every path of their handling, cut so that some
// disputes are still open.
func MustAppends(tb testing.TB, cases int) []casegen.Append {
	tb.Helper()
	return generated.Get(tb, cases, generateAppends)
}

var generated projectiontest.Memo[int, []casegen.Append]

func generateAppends(tb testing.TB, cases int) []casegen.Append {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	// Six months: dense enough that many disputes overlap in time.
	cfg.From = time.Date(2025, 3, 1, 0, 0, 0, 0, cfg.From.Location())
	cfg.To = time.Date(2025, 9, 1, 0, 0, 0, 0, cfg.From.Location())
	cfg.Rates.Complaint, cfg.Rates.ComplaintLate = 0.2, 0.6
	cfg.Rates.BadRating, cfg.Rates.BadRatingLate = 0.2, 0.6
	all := projectiontest.MustGenerate(tb, cfg)
	// Disputes are handled within days, so in a history that runs to its
	// end almost all are closed. Cut it (a prefix in time is a history)
	// just after the middle filing, when the later filings are ahead and
	// the earlier ones partly handled.
	var filed []int
	for i, a := range all {
		for _, ev := range a.Decided {
			if r, ok := ev.(*domain.CaseRated); (ok && r.Label.Bad()) || ev.Type() == "ComplaintFiled" {
				filed = append(filed, i)
			}
		}
	}
	if len(filed) == 0 {
		tb.Fatal("the history has no dispute")
	}
	return all[:filed[len(filed)/2]+1]
}

// MustStore opens an embedded store in memory.
func MustStore(tb testing.TB) *embedded.Store {
	tb.Helper()
	return projectiontest.MustMemStore(tb)
}

// MustAppend appends as and returns the last position.
func MustAppend(tb testing.TB, store eventstore.Store, as []casegen.Append) uint64 {
	tb.Helper()
	return projectiontest.MustAppend(tb, store, as)
}

func MustViews(tb testing.TB, store eventstore.Store, dir string) *projections.Runner {
	tb.Helper()
	return projectiontest.MustRunner(tb, store, dir, dispute.Projection{})
}

// expected is the oracle's account of one dispute.
type expected struct {
	id, caseID, region string
	kind               dispute.Kind
	filed, disputed    uint64
	filedOn            workday.Date
	handling           []uint64
	deadline, metOn    workday.Date
	closed             bool
	label              domain.RatingLabel
	tags               []string
}

func itemOf(r eventstore.RecordedEvent) string {
	var x struct {
		Item string `json:"item"`
	}
	_ = json.Unmarshal(r.Data, &x)
	return x.Item
}

// oracle finds every dispute by folding each case with domain.Evolve and
// searching the stream backwards for the disputed step.
func oracle(tb testing.TB, store eventstore.Store) map[string]*expected {
	tb.Helper()
	recs, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]*expected{}
	streams := map[string][]eventstore.RecordedEvent{}
	states := map[string]domain.State{}
	rating := map[string]*expected{}
	for _, r := range recs {
		caseID := strings.TrimPrefix(r.Stream, "case-")
		ev, err := domain.DecodeRecorded(r)
		if err != nil {
			tb.Fatal(err)
		}
		prev := states[caseID]
		next := domain.Evolve(prev, ev)
		states[caseID] = next
		before := streams[caseID]
		streams[caseID] = append(before, r)
		on := workday.DateOf(ev.Meta().OccurredAt)
		last := func(match func(eventstore.RecordedEvent) bool) uint64 {
			for i := len(before) - 1; i >= 0; i-- {
				if match(before[i]) {
					return before[i].Version
				}
			}
			return r.Version
		}
		switch e := ev.(type) {
		case *domain.ComplaintFiled:
			x := &expected{id: e.ComplaintID, caseID: caseID, region: next.Region, kind: dispute.KindComplaint,
				filed: r.Version, filedOn: on, deadline: e.AnswerBy}
			x.disputed = last(func(p eventstore.RecordedEvent) bool {
				item := itemOf(p)
				switch {
				case e.Step != "":
					pe, _ := domain.DecodeRecorded(p)
					s, ok := pe.(*domain.StepRecorded)
					return ok && s.Item == e.Item && s.Step == e.Step
				case e.Item != "":
					return item == e.Item && p.Type != "ComplaintFiled"
				default:
					it, ok := next.Item(item)
					return ok && it.Department == e.Department && p.Type != "ComplaintFiled"
				}
			})
			out[x.id] = x
		case *domain.ComplaintAnswered:
			x := out[e.ComplaintID]
			x.handling, x.metOn, x.closed = append(x.handling, r.Version), on, true
		case *domain.CaseRated:
			if !e.Label.Bad() {
				continue
			}
			x := &expected{id: r.ID.String(), caseID: caseID, region: next.Region, kind: dispute.KindBadRating,
				filed: r.Version, filedOn: on, label: e.Label, tags: e.ReasonTags}
			x.disputed = last(func(p eventstore.RecordedEvent) bool { return p.Type == "BundleCompleted" || p.Type == "CaseRefused" })
			out[x.id], rating[caseID] = x, x
		case *domain.RatingCalledBack, *domain.RatingTriaged, *domain.RectificationReported, *domain.RatingAppealed,
			*domain.AppealDecided, *domain.RatingSignedOff:
			x := rating[caseID]
			if x == nil {
				continue
			}
			x.handling = append(x.handling, r.Version)
			x.deadline, x.closed = next.Rating.RectifyBy, next.Rating.SignedOff
			if !prev.Rating.Rectified && next.Rating.Rectified {
				x.metOn = on
			}
		}
	}
	return out
}
