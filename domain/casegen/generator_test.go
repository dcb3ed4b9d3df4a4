package casegen_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
)

// digest hashes everything an append would write, in order.
func digest(t *testing.T, cfg casegen.Config) (sum [32]byte, events int) {
	t.Helper()
	g := MustGenerator(t, cfg)
	h := sha256.New()
	for a := range g.All() {
		h.Write([]byte(a.Stream))
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(a.Expected)))
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(a.At.UnixNano())))
		for _, e := range a.Events {
			h.Write(e.ID[:])
			h.Write([]byte(e.Type))
			h.Write(e.Data)
			h.Write(e.Metadata)
			events++
		}
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, events
}

func TestSameSeedGivesByteIdenticalHistory(t *testing.T) {
	first, n := digest(t, config(300))
	again, _ := digest(t, config(300))
	if first != again {
		t.Fatal("two histories of the same seed and config differ")
	}
	if n == 0 {
		t.Fatal("no events")
	}
	other := config(300)
	other.Seed = 2
	if got, _ := digest(t, other); got == first {
		t.Fatal("seeds 1 and 2 give the same history")
	}
}

func TestMaxEventsCapsTheHistory(t *testing.T) {
	for _, max := range []int{1, 2, 1000, 5000} {
		cfg := config(500)
		cfg.MaxEvents = max
		g := MustGenerator(t, cfg)
		n := 0
		for a := range g.All() {
			n += len(a.Events)
		}
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		// An append is atomic, so the cap may leave a few events unused,
		// but never more than one decision's worth.
		if got := g.Events(); got != n || got > max || got < max-20 {
			t.Errorf("MaxEvents %d: %d events (%d counted), want at most %d and close to it", max, got, n, max)
		}
	}
}

// TestSomeCasesAreOpenAtTheEnd checks that the window cuts lives short:
// cases in progress and cases waiting for a supplement remain.
func TestSomeCasesAreOpenAtTheEnd(t *testing.T) {
	cfg := config(2000)
	if testing.Short() {
		cfg.Cases = 1000
	}
	g := MustGenerator(t, cfg)
	states := map[string]domain.State{}
	for a := range g.All() {
		s := states[a.CaseID]
		for _, ev := range a.Decided {
			s = domain.Evolve(s, ev)
		}
		states[a.CaseID] = s
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, s := range states {
		switch {
		case s.Status == domain.StatusAccepted:
			count["in progress"]++
		case s.Status == domain.StatusSubmitted && s.Supplement.Open:
			count["waiting for supplement"]++
		}
		count[string(s.Status)]++
	}
	for _, want := range []string{"in progress", "waiting for supplement", "completed", "refused", "withdrawn"} {
		if count[want] == 0 {
			t.Errorf("no case %s at the end of the window; counts %v", want, count)
		}
	}
}

var (
	// An 18-character identity number or credit code in clear: 17 digits
	// and a check character.
	idNumber = regexp.MustCompile(`\d{17}[\dXx]`)
	// A mainland mobile number on its own.
	phone = regexp.MustCompile(`^\+?(86)?1[3-9]\d{9}$`)
)

// TestNoPersonalDataInClear scans every event for identity numbers and
// phone numbers in clear, and checks that every subject's display values
// are masked.
func TestNoPersonalDataInClear(t *testing.T) {
	cfg := config(500)
	cfg.Regions = []string{"440300", "440304001"} // a district and a township
	g := MustGenerator(t, cfg)
	subjects := 0
	for a := range g.All() {
		for _, e := range a.Events {
			for _, b := range [][]byte{e.Data, e.Metadata} {
				if m := idNumber.Find(b); m != nil {
					t.Fatalf("%s carries %q, an identity number in clear", e.Type, m)
				}
				for _, s := range jsonStrings(t, b) {
					if phone.MatchString(s) {
						t.Fatalf("%s carries %q, a phone number in clear", e.Type, s)
					}
				}
			}
		}
		for _, ev := range a.Decided {
			sub, ok := ev.(*domain.CaseSubmitted)
			if !ok {
				continue
			}
			for _, s := range []*domain.Subject{&sub.Applicant, sub.Agent} {
				if s == nil {
					continue
				}
				subjects++
				if !strings.Contains(s.MaskedName, "*") || !strings.Contains(s.MaskedID, "*") {
					t.Fatalf("subject %+v is not masked", *s)
				}
				if got, want := len(s.MaskedID), 18; got != want {
					t.Fatalf("masked ID %q has %d characters, want %d", s.MaskedID, got, want)
				}
			}
		}
	}
	if subjects == 0 {
		t.Fatal("no subjects seen")
	}
}

// jsonStrings returns every string value in a JSON document.
func jsonStrings(t *testing.T, b []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, y := range x {
				walk(y)
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}

// TestPeopleActInTheirHours checks when each role acts: officers and
// supervisors on working days in office hours, the deadline watcher at
// 08:30 on working days, applicants on working days between 08:00 and
// 22:00, all in China time.
func TestPeopleActInTheirHours(t *testing.T) {
	cal := workday.Default()
	g := MustGenerator(t, config(500))
	china := time.FixedZone("UTC+08:00", 8*60*60)
	seen := map[domain.Role]int{}
	for a := range g.All() {
		at := a.At.In(china)
		if _, off := at.Zone(); off != 8*60*60 || a.At.Location().String() != china.String() {
			t.Fatalf("append at %s is not in China time", a.At)
		}
		if !cal.IsWorkingDay(workday.DateOf(at)) {
			t.Fatalf("%T on %s, not a working day", a.Command, at)
		}
		role := a.Command.Metadata().Actor.Role
		seen[role]++
		m := at.Hour()*60 + at.Minute()
		var ok bool
		switch role {
		case domain.RoleWindow, domain.RoleDepartment, domain.RoleSupervisor:
			ok = (m >= 9*60 && m < 12*60) || (m >= 14*60 && m < 17*60+30)
		case domain.RoleSystem:
			ok = m == 8*60+30 || (m >= 9*60 && m < 17*60+30) // the watcher; e-certificate pushes follow the office
		case domain.RoleApplicant:
			ok = m >= 8*60 && m < 22*60
		}
		if !ok {
			t.Fatalf("%s %T at %s, outside their hours", role, a.Command, at.Format(time.DateTime))
		}
	}
	for _, r := range []domain.Role{domain.RoleWindow, domain.RoleDepartment, domain.RoleSupervisor, domain.RoleSystem, domain.RoleApplicant} {
		if seen[r] == 0 {
			t.Errorf("no command by a %s", r)
		}
	}
}

func TestCaseIDsAreVersion7OrderedBySubmission(t *testing.T) {
	g := MustGenerator(t, config(300))
	var last string
	for a := range g.All() {
		if a.Expected != eventstore.NoStream {
			continue
		}
		if a.CaseID[14] != '7' {
			t.Fatalf("case ID %s is not version 7", a.CaseID)
		}
		// Version 7 puts the milliseconds first, so text order is time
		// order for IDs of different milliseconds.
		if a.CaseID[:13] < last {
			t.Fatalf("case %s submitted after a case with a later ID prefix %s", a.CaseID, last)
		}
		last = a.CaseID[:13]
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestNewRefusesInvalidConfigs(t *testing.T) {
	china := time.FixedZone("UTC+08:00", 8*60*60)
	for _, tc := range []struct {
		name   string
		change func(*casegen.Config)
		want   string
	}{
		{"negative cases", func(c *casegen.Config) { c.Cases = -1 }, "cases -1"},
		{"negative max events", func(c *casegen.Config) { c.MaxEvents = -5 }, "max events"},
		{"no window", func(c *casegen.Config) { c.From = time.Time{} }, "From and To"},
		{"empty window", func(c *casegen.Config) { c.To = c.From }, "is empty"},
		{"window beyond the calendar", func(c *casegen.Config) {
			c.To = time.Date(2031, 1, 1, 0, 0, 0, 0, china)
		}, "does not cover"},
		{"no region", func(c *casegen.Config) { c.Regions = nil }, "region"},
		{"short region", func(c *casegen.Config) { c.Regions = []string{"44030"} }, `"44030"`},
		{"rate above one", func(c *casegen.Config) { c.Rates.Refusal = 1.5 }, "refusal"},
		{"rate NaN", func(c *casegen.Config) { c.Rates.BadRating = math.NaN() }, "bad_rating"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := casegen.DefaultConfig()
			tc.change(&cfg)
			_, err := casegen.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestZeroCasesGiveAnEmptyHistory(t *testing.T) {
	g := MustGenerator(t, config(0))
	if a, ok := g.Next(); ok {
		t.Fatalf("Next = %+v, want the end", a)
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
}
