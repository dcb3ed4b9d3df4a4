package casegen

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
)

// Append is one append of a generated history: what domain.Decide decided
// for Command, encoded for eventstore.Store.Append.
type Append struct {
	// Stream is "case-<uuid>"; CaseID is the uuid.
	Stream string
	CaseID string
	// Expected is NoStream for a case's first append and Exact(version)
	// after, so appending in order never conflicts.
	Expected eventstore.ExpectedVersion
	Events   []eventstore.EventData
	// Command is the command that decided Decided, the domain events that
	// Events encode. A caller that drives a real service (the demo mode)
	// can send Command instead of appending Events.
	Command domain.Command
	Decided []domain.Event
	// At is when the command took effect, in China time; appends come in
	// non-decreasing At order across all cases.
	At time.Time
}

// Generator streams a history. It is not safe for concurrent use.
type Generator struct {
	cfg   Config
	env   domain.Env
	clock clock
	slow  map[string]bool
	mix   []weighted
	queue queue
	seq   uint64

	// Arrivals: cfg.Cases sorted uniform moments over the office minutes of
	// days, drawn one at a time (sequential order statistics), so the
	// arrival of case k+1 is known only when case k arrives.
	days    []workday.Date
	arrived int
	last    float64
	arrival *rand.Rand

	events int
	err    error
	done   bool
}

type weighted struct {
	bundle *catalogue.Bundle
	upTo   float64 // cumulative weight
}

// New returns a generator of the history cfg describes. It fails on an
// invalid configuration.
func New(cfg Config) (*Generator, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	g := &Generator{
		cfg:     cfg,
		env:     domain.Env{Catalogue: cfg.Catalogue, Calendar: cfg.Calendar, Policy: cfg.Policy},
		clock:   clock{cal: cfg.Calendar},
		slow:    map[string]bool{},
		arrival: rand.New(rand.NewPCG(uint64(cfg.Seed), math.MaxUint64)),
	}
	for _, d := range cfg.SlowDepartments {
		g.slow[d] = true
	}
	total := 0.0
	for i := range cfg.Catalogue.Bundles {
		b := &cfg.Catalogue.Bundles[i]
		total += bundleWeight(b.Code)
		g.mix = append(g.mix, weighted{bundle: b, upTo: total})
	}
	for d := workday.DateOf(cfg.From); d.Before(workday.DateOf(cfg.To)); d = d.AddDays(1) {
		if cfg.Calendar.IsWorkingDay(d) {
			g.days = append(g.days, d)
		}
	}
	if len(g.days) > 0 && cfg.Cases > 0 {
		g.scheduleArrival()
	}
	return g, nil
}

// Next returns the next append, or false at the end of the history or on
// an error (see Err).
func (g *Generator) Next() (Append, bool) {
	for !g.done && len(g.queue) > 0 {
		a := g.queue.pop()
		if a.at >= g.cfg.To.UnixNano() {
			// Everything left happens after the window.
			break
		}
		now := time.Unix(0, a.at).In(china)
		c, cmd := a.c, (domain.Command)(nil)
		if c == nil {
			c, cmd = g.arrive(now)
		} else {
			cmd = a.do(now)
		}
		if cmd == nil {
			continue
		}
		app, ok := g.execute(c, cmd, now)
		if !ok {
			break
		}
		return app, true
	}
	g.done = true
	g.queue = nil
	return Append{}, false
}

// All returns the history as an iterator; check Err after it ends.
func (g *Generator) All() iter.Seq[Append] {
	return func(yield func(Append) bool) {
		for {
			a, ok := g.Next()
			if !ok || !yield(a) {
				return
			}
		}
	}
}

// Err returns the error that ended the history early, if any. An error
// means a generated command was refused by domain.Decide: a bug here, or a
// domain rule the generator does not know yet.
func (g *Generator) Err() error { return g.err }

// Events returns the number of events generated so far.
func (g *Generator) Events() int { return g.events }

// execute decides cmd for c, evolves c, and lets c react to the events.
func (g *Generator) execute(c *caseSim, cmd domain.Command, now time.Time) (Append, bool) {
	evs, err := domain.Decide(c.state, cmd, g.env)
	if err == nil && len(evs) == 0 {
		err = fmt.Errorf("decided no events")
	}
	if err != nil {
		g.err = fmt.Errorf("casegen: case %s at %s: %T: %w", c.id, now.Format(time.RFC3339), cmd, err)
		return Append{}, false
	}
	if g.cfg.MaxEvents > 0 && g.events+len(evs) > g.cfg.MaxEvents {
		return Append{}, false
	}
	app := Append{Stream: c.stream, CaseID: c.id, Expected: eventstore.NoStream, Command: cmd, Decided: evs, At: now,
		Events: make([]eventstore.EventData, len(evs))}
	if c.state.Version > 0 {
		app.Expected = eventstore.Exact(uint64(c.state.Version - 1))
	}
	for i, ev := range evs {
		if app.Events[i], err = domain.EventData(ev); err != nil {
			g.err = fmt.Errorf("casegen: case %s: %w", c.id, err)
			return Append{}, false
		}
	}
	// In place: the case's state is the generator's alone, and Decide
	// keeps no reference to it.
	c.state.Apply(evs...)
	g.events += len(evs)
	for _, ev := range evs {
		g.react(c, ev, now)
	}
	return app, true
}

// schedule makes c do something at t.
func (g *Generator) schedule(c *caseSim, t time.Time, do func(now time.Time) domain.Command) {
	g.seq++
	g.queue.push(action{at: t.UnixNano(), seq: g.seq, c: c, do: do})
}

// scheduleArrival queues the moment the next case is submitted.
func (g *Generator) scheduleArrival() {
	n := g.cfg.Cases - g.arrived
	// The minimum of n uniforms on (last, 1) is last + (1-last)(1-U^(1/n)).
	g.last += (1 - g.last) * (1 - math.Pow(g.arrival.Float64(), 1/float64(n)))
	per := float64(officeHours.minutes())
	pos := g.last * per * float64(len(g.days))
	day := min(int(pos/per), len(g.days)-1)
	within := pos - float64(day)*per
	minute := min(int(within), int(per)-1)
	// The seconds come from the position too, so arrivals stay in order
	// within a minute.
	sec := min(int((within-float64(minute))*60), 59)
	t := officeHours.at(g.days[day], minute, sec)
	g.seq++
	g.queue.push(action{at: t.UnixNano(), seq: g.seq})
}

// pickBundle draws a bundle by its weight.
func (g *Generator) pickBundle(r *rand.Rand) *catalogue.Bundle {
	x := r.Float64() * g.mix[len(g.mix)-1].upTo
	for _, w := range g.mix {
		if x < w.upTo {
			return w.bundle
		}
	}
	return g.mix[len(g.mix)-1].bundle
}

// bundleWeight is how common a bundle is relative to the others: life
// events of many people (births, school, cards, retirement) dominate, and
// bankruptcy checks are rare. The figures are ours; a bundle not listed
// (a later catalogue) gets a middling weight.
func bundleWeight(code string) float64 {
	switch code {
	case "newborn_birth", "social_security_card_services":
		return 14
	case "school_enrolment", "retirement", "enterprise_change":
		return 12
	case "after_death":
		return 9
	case "restaurant_opening", "utility_connection":
		return 6
	case "credit_repair", "disability_services", "veteran_services":
		return 4
	case "transport_company_opening":
		return 2
	case "bankruptcy_info_check":
		return 1
	}
	return 5
}
