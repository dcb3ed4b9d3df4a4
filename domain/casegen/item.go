package casegen

import (
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// itemSim is the plan of one dispatched item: the officers handling it and
// the steps left, done one after the other.
type itemSim struct {
	code, dept string
	spec       *catalogue.Item
	// officer handles the item; reviewer and approver sign the later steps
	// and the decision.
	officer, reviewer, approver domain.Actor
	steps                       []step
	// blocked: the next step came while the case's supplement notice kept
	// the item's clock stopped; it runs again when the supplement arrives.
	blocked bool
	// watch numbers the deadline watcher's plans; a plan made before the
	// due date moved is stale.
	watch int
	duban string // the open 督办 on the item, if any
	// plan is the day the last step was planned for. Steps follow the
	// plan, not the day the previous step happened to fall on, so a step
	// that slipped to the next morning does not push the rest back.
	plan workday.Date
}

// step is one thing the department does: days working days after the
// previous step (0: within the hour), then cmd builds the command.
// whilePaused marks the steps that may run while the case's supplement
// notice stops the item's clock (C13 stops only steps, extensions and
// decisions).
type step struct {
	days        int
	cmd         func(c *caseSim, it *itemSim, now time.Time) domain.Command
	whilePaused bool
}

// startItem plans a dispatched item: accepted within a day, steps spread
// over a duration drawn against the item's limit (a share of items run
// past it, more in slow departments), with pauses and extensions at the
// configured rates.
func (g *Generator) startItem(c *caseSim, code string, now time.Time) {
	spec, _ := c.bundle.Item(code)
	r := c.r
	rt := g.cfg.Rates
	team := departmentTeam(r, c.region, spec.Department)
	it := &itemSim{code: code, dept: spec.Department, spec: spec, officer: team[0], reviewer: team[1], approver: team[2]}
	c.items = append(c.items, it)

	limit := spec.Limit.Value
	lateRate := rt.Overdue
	if g.slow[it.dept] {
		lateRate = rt.SlowOverdue
	}
	overdue := limit > 0 && chance(r, lateRate)
	extend := 0
	if most := spec.MaxExtension.Value; most > 0 && limit > 0 && chance(r, rt.Extension) {
		extend = 1 + r.IntN(most)
	}
	// total is the working days on the item's clock from dispatch to
	// decision: within the limit (and any extension), or past it.
	total := 0
	switch {
	case limit == 0:
	case overdue:
		total = limit + extend + 1 + r.IntN(max(2, limit/2))
	default:
		total = r.IntN(limit + extend + 1)
	}
	acceptDays := 0
	if limit > 0 && total > 0 {
		acceptDays = r.IntN(2)
	}
	rest := total - acceptDays
	handle := r.IntN(rest + 1)
	review := r.IntN(rest - handle + 1)
	approve := rest - handle - review

	it.steps = append(it.steps, step{days: acceptDays, cmd: acceptItem, whilePaused: true})
	if extend > 0 {
		it.steps = append(it.steps, step{cmd: extendItem(extend)})
	}
	it.steps = append(it.steps, step{days: handle, cmd: recordStep(domain.StepHandle, domain.ActionPass)})
	if c.deptSupplement && limit > 0 {
		c.deptSupplement = false
		it.steps = append(it.steps, step{cmd: requestCorrection},
			step{days: 1 + r.IntN(5), cmd: receiveCorrection, whilePaused: true})
	}
	switch {
	case limit >= 5 && chance(r, rt.Special):
		it.steps = append(it.steps, step{cmd: startSpecial}, step{days: 2 + r.IntN(8), cmd: endSpecial})
	case limit > 0 && chance(r, rt.Suspension):
		it.steps = append(it.steps, step{cmd: suspendItem}, step{days: 1 + r.IntN(5), cmd: resumeItem})
	}
	if chance(r, rt.Return) {
		it.steps = append(it.steps, step{days: review, cmd: recordStep(domain.StepReview, domain.ActionReturn)},
			step{cmd: recordStep(domain.StepHandle, domain.ActionPass)}, step{cmd: recordStep(domain.StepReview, domain.ActionPass)})
	} else {
		it.steps = append(it.steps, step{days: review, cmd: recordStep(domain.StepReview, domain.ActionPass)})
	}
	it.steps = append(it.steps, step{days: approve, cmd: recordStep(domain.StepApprove, domain.ActionPass)},
		step{cmd: decideItem(chance(r, rt.Denial))})

	it.plan = workday.DateOf(now)
	g.scheduleStep(c, it, g.stepTime(c, it, now, acceptDays))
	g.armWatch(c, it, now)
}

// scheduleStep runs the item's next step at t. A step is dropped when the
// case closed or the item settled; it waits while the case's supplement
// notice stops the item's clock.
func (g *Generator) scheduleStep(c *caseSim, it *itemSim, t time.Time) {
	g.schedule(c, t, func(now time.Time) domain.Command {
		st, _ := c.state.Item(it.code)
		if c.state.Status != domain.StatusAccepted || st.Settled() {
			return nil
		}
		s := it.steps[0]
		if st.AwaitingSupplement && !s.whilePaused {
			it.blocked = true
			return nil
		}
		it.steps = it.steps[1:]
		if len(it.steps) > 0 {
			g.scheduleStep(c, it, g.stepTime(c, it, now, it.steps[0].days))
		}
		return s.cmd(c, it, now)
	})
}

// stepTime moves the item's plan days working days on and returns when
// its next step happens: some time on the planned day, or within the hour
// when the plan is not ahead of now.
func (g *Generator) stepTime(c *caseSim, it *itemSim, now time.Time, days int) time.Time {
	it.plan = g.env.Calendar.AddWorkingDays(it.plan, days)
	if today := workday.DateOf(now); it.plan.After(today) {
		return g.clock.within(c.r, officeHours, now, g.env.Calendar.WorkingDaysBetween(today, it.plan))
	}
	return g.clock.soon(c.r, officeHours, now, 60)
}

// unblock resumes the items whose steps waited for the supplement.
func (g *Generator) unblock(c *caseSim, now time.Time) {
	for _, it := range c.items {
		if it.blocked {
			it.blocked = false
			g.scheduleStep(c, it, g.clock.soon(c.r, officeHours, now, 60))
		}
	}
}

// armWatch plans the deadline watcher's next look at the item: the first
// working-day morning after now when a warning it has not raised is due.
// The plan is renewed after each warning and whenever the due date moves
// (see react).
func (g *Generator) armWatch(c *caseSim, it *itemSim, now time.Time) {
	st, _ := c.state.Item(it.code)
	if st.Limit.Value == 0 || st.Settled() || st.Paused() {
		return
	}
	cal, policy := g.env.Calendar, g.env.Policy.Warning
	it.watch++
	gen := it.watch
	for d := cal.AddWorkingDays(workday.DateOf(now), 1); ; d = cal.AddWorkingDays(d, 1) {
		state, _ := cal.StateAt(st.DispatchedOn, st.Due, d, policy)
		level := domain.WarningLevel("")
		switch state {
		case workday.Warning:
			level = domain.WarningYellow
		case workday.Overdue:
			level = domain.WarningOverdue
		}
		if level == "" || hasWarning(st, level) || (level == domain.WarningYellow && hasWarning(st, domain.WarningOverdue)) {
			if state == workday.Overdue {
				return
			}
			continue
		}
		g.schedule(c, g.clock.watch(d, now), func(now time.Time) domain.Command {
			st, _ := c.state.Item(it.code)
			if gen != it.watch || c.state.Status != domain.StatusAccepted || st.Settled() || st.Paused() || st.Status == domain.ItemWaiting {
				return nil
			}
			return &domain.RaiseWarning{CommandMeta: c.meta(watcher(c.region), now), Item: it.code, Level: level}
		})
		return
	}
}

func hasWarning(st *domain.ItemState, l domain.WarningLevel) bool {
	for _, w := range st.Warnings {
		if w == l {
			return true
		}
	}
	return false
}
