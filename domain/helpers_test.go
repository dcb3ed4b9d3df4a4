package domain_test

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

const caseID = "case-1"

var china = time.FixedZone("UTC+08:00", 8*60*60)

// t0 is Monday 2026-03-02 09:00 in China, a plain working week.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, china)

var (
	applicant  = domain.Actor{Role: domain.RoleApplicant, PersonID: "subj-1"}
	agent      = domain.Actor{Role: domain.RoleApplicant, PersonID: "subj-agent"}
	stranger   = domain.Actor{Role: domain.RoleApplicant, PersonID: "subj-2"}
	window     = domain.Actor{Role: domain.RoleWindow, PersonID: "w-1", Unit: "centre-1", Region: "440300"}
	farWindow  = domain.Actor{Role: domain.RoleWindow, PersonID: "w-2", Unit: "centre-9", Region: "110105"}
	health     = domain.Actor{Role: domain.RoleDepartment, PersonID: "h-1", Unit: "health", Region: "440300"}
	police     = domain.Actor{Role: domain.RoleDepartment, PersonID: "p-1", Unit: "police", Region: "440300"}
	tax        = domain.Actor{Role: domain.RoleDepartment, PersonID: "t-1", Unit: "tax", Region: "440300"}
	supervisor = domain.Actor{Role: domain.RoleSupervisor, PersonID: "s-1", Region: "440300"}
	watcher    = domain.Actor{Role: domain.RoleSystem, PersonID: "deadline-watcher", Region: "440300"}
)

var cmdSeq atomic.Int64

// on returns command metadata for actor acting day days after t0 (calendar
// days), with a fresh command ID.
func on(a domain.Actor, day int) domain.CommandMeta {
	return domain.CommandMeta{
		ID:     "cmd-" + strconv.FormatInt(cmdSeq.Add(1), 10),
		CaseID: caseID,
		Actor:  a,
		At:     t0.AddDate(0, 0, day),
	}
}

// MustEnv returns the environment of the tests: the test catalogue, the
// shipped calendar and the default policy.
func MustEnv(tb testing.TB) domain.Env {
	tb.Helper()
	b, err := os.ReadFile("testdata/catalogue.json")
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := catalogue.Parse(b)
	if err != nil {
		tb.Fatal(err)
	}
	return domain.Env{Catalogue: cat, Calendar: workday.Default(), Policy: domain.DefaultPolicy()}
}

// MustRun decides cmds in order from an empty case and returns every event,
// failing the test on any error.
func MustRun(tb testing.TB, env domain.Env, cmds ...domain.Command) []domain.Event {
	tb.Helper()
	var s domain.State
	var all []domain.Event
	for i, c := range cmds {
		evs, err := domain.Decide(s, c, env)
		if err != nil {
			tb.Fatalf("given command %d (%T): %v", i, c, err)
		}
		for _, ev := range evs {
			s = domain.Evolve(s, ev)
		}
		all = append(all, evs...)
	}
	return all
}

func types(evs []domain.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type()
	}
	return out
}

func ruleOf(err error) (domain.Code, string) {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Code, e.Rule
	}
	return "", ""
}

func date(s string) workday.Date {
	d, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Commands used to build histories.

func submit(a domain.Actor, provided ...string) *domain.SubmitCase {
	return &domain.SubmitCase{
		CommandMeta: on(a, 0), BundleCode: "trio", Channel: domain.ChannelWindow,
		Applicant: domain.Subject{Ref: "subj-1", Kind: domain.Person, MaskedName: "张*", MaskedID: "110105********1234"},
		Agent:     &domain.Subject{Ref: "subj-agent", Kind: domain.Person},
		Region:    "440300", Provided: provided,
	}
}

var allMaterials = []string{"id_card", "photo", "household_register", "bank_account"}

func submitted() []domain.Command { return []domain.Command{submit(window, allMaterials...)} }

func accepted() []domain.Command {
	return append(submitted(), &domain.AcceptCase{CommandMeta: on(window, 0), AcceptanceNumber: "SL-1"})
}

// started has item a accepted by health (a and c were dispatched on acceptance).
func started() []domain.Command {
	return append(accepted(), &domain.AcceptItem{CommandMeta: on(health, 1), Item: "a"})
}

func decideA(o domain.Outcome) *domain.DecideItem {
	return &domain.DecideItem{CommandMeta: on(health, 2), Item: "a", Outcome: o, LegalBasis: "law", Opinion: "ok"}
}

// completed runs every item to approval, with a certificate for a.
func completed() []domain.Command {
	return append(started(),
		decideA(domain.Approved),
		&domain.AcceptItem{CommandMeta: on(police, 3), Item: "b"},
		&domain.DecideItem{CommandMeta: on(police, 3), Item: "b", Outcome: domain.Approved, Opinion: "ok"},
		&domain.AcceptItem{CommandMeta: on(tax, 3), Item: "c"},
		&domain.DecideItem{CommandMeta: on(tax, 3), Item: "c", Outcome: domain.Approved, Opinion: "ok"},
		&domain.IssueCertificate{CommandMeta: on(health, 3), Item: "a", Certificate: cert()},
	)
}

func cert() domain.Certificate {
	return domain.Certificate{Name: "出生医学证明", Number: "N1", ECertRef: "ec-1", IssuingUnit: "health",
		ValidFrom: date("2026-03-05")}
}

func refused() []domain.Command {
	return append(submitted(), &domain.RefuseCase{CommandMeta: on(window, 0), Reason: "r", LegalBasis: "l", NoticeNumber: "N"})
}

func ratedBad() []domain.Command {
	return append(completed(), &domain.RateCase{CommandMeta: on(applicant, 5), Label: domain.Dissatisfied,
		ReasonTags: []string{"超时"}, Channel: domain.ChannelWeb})
}

func calledBack() []domain.Command {
	return append(ratedBad(), &domain.CallBackRating{CommandMeta: on(supervisor, 6), Notes: "n"})
}

func triaged(v domain.Verdict) []domain.Command {
	return append(calledBack(), &domain.TriageRating{CommandMeta: on(supervisor, 6), Verdict: v, Reason: "r"})
}

func with(base []domain.Command, more ...domain.Command) []domain.Command {
	return append(base[:len(base):len(base)], more...)
}

// gwt is one Given/When/Then case: given the events of the given commands,
// when a command, then these event types, or an error with this code and
// rule number.
type gwt struct {
	name  string
	given []domain.Command
	when  domain.Command
	then  []string
	code  domain.Code
	rule  string // "C10"; empty for errors without a rule
	check func(t *testing.T, evs []domain.Event)
}

func runGWT(t *testing.T, cases []gwt) {
	t.Helper()
	env := MustEnv(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := domain.Replay(MustRun(t, env, tc.given...))
			got, err := domain.Decide(s, tc.when, env)
			if tc.code != "" {
				code, rule := ruleOf(err)
				if code != tc.code || (tc.rule != "" && !strings.HasPrefix(rule, tc.rule+" ")) || (tc.rule == "" && rule != "") {
					t.Fatalf("Decide error = %v (code %q, rule %q), want code %q rule %q", err, code, rule, tc.code, tc.rule)
				}
				if got != nil {
					t.Fatalf("Decide returned events %v with an error", types(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if g, w := types(got), tc.then; !slices.Equal(g, w) {
				t.Fatalf("events = %v, want %v", g, w)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

// event returns the first event of type T in evs.
func event[T domain.Event](t *testing.T, evs []domain.Event) T {
	t.Helper()
	for _, ev := range evs {
		if e, ok := ev.(T); ok {
			return e
		}
	}
	var zero T
	t.Fatalf("no %T in %v", zero, types(evs))
	return zero
}
