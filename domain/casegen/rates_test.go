package casegen_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/catalogue"
)

// caseTally is what the rates test learns of one case from its events.
type caseTally struct {
	hasMinor                    bool
	refused, accepted, tolerant bool
	noticeAtIntake              bool
	withdrawnAtIntake           bool
	completedOn, refusedOn      time.Time
	late                        bool
	rated, bad                  bool
	complained                  bool
}

// itemTally is one item with a limit that was decided.
type itemTally struct {
	dept             string
	limit            int
	overdue, decided bool
	denied, special  bool
}

// share is hits out of n, checked against a configured probability.
type share struct {
	name    string
	hits, n int
	want    float64
}

// tally reads a whole history into per-case facts and the shares the
// configuration promises, each over the population its rate names.
func tally(t *testing.T, cfg casegen.Config) []share {
	t.Helper()
	g := MustGenerator(t, cfg)
	cases := map[string]*caseTally{}
	decided := map[string]map[string]*itemTally{}
	for a := range g.All() {
		c := cases[a.CaseID]
		if c == nil {
			c = &caseTally{}
			cases[a.CaseID] = c
			decided[a.CaseID] = map[string]*itemTally{}
		}
		for _, ev := range a.Decided {
			switch e := ev.(type) {
			case *domain.CaseSubmitted:
				c.hasMinor = hasMinor(&e.Bundle)
			case *domain.CaseRefused:
				c.refused, c.refusedOn = true, a.At
			case *domain.SupplementRequested:
				c.noticeAtIntake = !c.accepted
			case *domain.CaseAccepted:
				c.accepted, c.tolerant = true, e.Tolerance != nil
			case *domain.CaseWithdrawn:
				c.withdrawnAtIntake = !c.accepted && !c.noticeAtIntake
			case *domain.WarningRaised:
				if e.Level == domain.WarningOverdue {
					c.late = true
					decided[a.CaseID][e.Item].overdue = true
				}
			case *domain.ItemDispatched:
				decided[a.CaseID][e.Item] = &itemTally{dept: e.Department, limit: e.Limit.Value}
			case *domain.SpecialProcedureStarted:
				decided[a.CaseID][e.Item].special = true
			case *domain.ItemDecided:
				it := decided[a.CaseID][e.Item]
				it.decided, it.denied = true, e.Outcome == domain.Denied
			case *domain.BundleCompleted:
				c.completedOn = a.At
			case *domain.CaseRated:
				c.rated, c.bad = true, e.Label.Bad()
			case *domain.ComplaintFiled:
				c.complained = true
			}
		}
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	return shares(cfg, cases, decided)
}

func shares(cfg casegen.Config, cases map[string]*caseTally, items map[string]map[string]*itemTally) []share {
	rt := cfg.Rates
	// Ratings come within a week; cases finished later are left out.
	settled := cfg.To.AddDate(0, 0, -14)
	s := []share{
		{name: "refusal", want: rt.Refusal}, {name: "withdrawal", want: rt.Withdrawal},
		{name: "tolerance", want: rt.Tolerance}, {name: "supplement", want: rt.Supplement},
		{name: "rating", want: rt.Rating}, {name: "bad rating", want: rt.BadRating},
		{name: "bad rating late", want: rt.BadRatingLate}, {name: "complaint", want: rt.Complaint},
		{name: "complaint late", want: rt.ComplaintLate},
		{name: "overdue", want: rt.Overdue}, {name: "slow overdue", want: rt.SlowOverdue},
		{name: "denial", want: rt.Denial}, {name: "special procedure", want: rt.Special},
	}
	count := func(i int, in, hit bool) {
		if in {
			s[i].n++
			if hit {
				s[i].hits++
			}
		}
	}
	for _, c := range cases {
		takenIn := c.accepted || c.noticeAtIntake
		finished := (!c.completedOn.IsZero() && c.completedOn.Before(settled)) || (c.refused && c.refusedOn.Before(settled))
		count(0, true, c.refused)
		count(1, !c.refused, c.withdrawnAtIntake)
		count(2, takenIn && c.hasMinor, c.tolerant)
		count(3, takenIn && !c.tolerant, c.noticeAtIntake)
		count(4, finished, c.rated)
		count(5, c.rated && !c.refused && !c.late, c.bad)
		count(6, c.rated && (c.refused || c.late), c.bad)
		count(7, finished && !c.refused && !c.late, c.complained)
		count(8, finished && !c.refused && c.late, c.complained)
	}
	for _, byItem := range items {
		for _, it := range byItem {
			if !it.decided {
				continue // still running at the end of the window
			}
			slow := slices.Contains(cfg.SlowDepartments, it.dept)
			count(9, it.limit > 0 && !slow, it.overdue)
			count(10, it.limit > 0 && slow, it.overdue)
			count(11, true, it.denied)
			count(12, it.limit >= 5, it.special)
		}
	}
	return s
}

func hasMinor(b *catalogue.Bundle) bool {
	for _, it := range b.Items {
		for _, m := range it.Materials {
			if m.Source == catalogue.FromApplicant && !m.Key && !keyAnywhere(b, m.Code) {
				return true
			}
		}
	}
	return false
}

func keyAnywhere(b *catalogue.Bundle, code string) bool {
	for _, it := range b.Items {
		if m, ok := it.Material(code); ok && m.Key {
			return true
		}
	}
	return false
}

// TestMixMatchesRates generates 2000 cases and checks that each outcome's
// share is within four standard deviations (plus half a point for the
// cases the end of the window cuts short) of its configured rate, for the
// default mix and for a troubled office with every rate raised (1000 cases
// in short mode: its higher rates need fewer).
func TestMixMatchesRates(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 1000
	}
	troubled := config(n)
	troubled.Seed = 7
	rt := &troubled.Rates
	rt.Refusal, rt.Withdrawal, rt.Tolerance, rt.Supplement = 0.15, 0.10, 0.20, 0.35
	rt.Rating, rt.BadRating, rt.BadRatingLate = 0.90, 0.10, 0.50
	rt.Complaint, rt.ComplaintLate, rt.Overdue, rt.SlowOverdue = 0.05, 0.30, 0.10, 0.60
	for _, tc := range []struct {
		name string
		cfg  casegen.Config
	}{
		{"default", config(2000)},
		{"troubled office", troubled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tally(t, tc.cfg) {
				if s.n < 20 {
					t.Errorf("%s: only %d cases to measure", s.name, s.n)
					continue
				}
				got := float64(s.hits) / float64(s.n)
				tol := 4*math.Sqrt(s.want*(1-s.want)/float64(s.n)) + 0.005
				msg := fmt.Sprintf("%s: %d of %d = %.4f, configured %.4f ± %.4f", s.name, s.hits, s.n, got, s.want, tol)
				if math.Abs(got-s.want) > tol {
					t.Error(msg)
				} else {
					t.Log(msg)
				}
			}
		})
	}
}
