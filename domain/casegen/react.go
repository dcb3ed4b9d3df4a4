package casegen

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// react plans what people do in response to an event of c: departments
// start on dispatched items, the watcher re-plans when a due date moves,
// supervisors follow overdue items, applicants rate finished cases.
func (g *Generator) react(c *caseSim, ev domain.Event, now time.Time) {
	r, rt := c.r, g.cfg.Rates
	switch e := ev.(type) {
	case *domain.CaseAccepted:
		g.accepted(c, e, now)
	case *domain.ItemDispatched:
		g.startItem(c, e.Item, now)
	case *domain.SupplementReceived:
		g.unblock(c, now)
		for _, d := range e.Due {
			if it := c.item(d.Item); it != nil {
				g.armWatch(c, it, now)
			}
		}
	case *domain.ItemResumed:
		g.armWatch(c, c.item(e.Item), now)
	case *domain.SpecialProcedureEnded:
		g.armWatch(c, c.item(e.Item), now)
	case *domain.DeadlineExtended:
		g.armWatch(c, c.item(e.Item), now)
	case *domain.WarningRaised:
		it := c.item(e.Item)
		g.armWatch(c, it, now)
		if e.Level == domain.WarningOverdue && chance(r, rt.Supervision) {
			g.schedule(c, g.clock.within(r, officeHours, now, 0), func(now time.Time) domain.Command {
				if st, _ := c.state.Item(it.code); st.Settled() || c.state.Closed() {
					return nil
				}
				return &domain.IssueDuban{CommandMeta: c.meta(supervisor(r, c.region), now), Item: it.code,
					Reason: "事项超过承诺时限未办结", Reference: c.number("DB", now)}
			})
		}
	case *domain.DubanIssued:
		c.item(e.Item).duban = e.DubanID
	case *domain.ItemDecided:
		it := c.item(e.Item)
		if e.Outcome != domain.Denied {
			g.schedule(c, g.clock.soon(r, officeHours, now, 60), func(now time.Time) domain.Command {
				return g.issueCertificate(c, it, now)
			})
		}
		g.closeDuban(c, it, now)
	case *domain.ItemsWithdrawn:
		for _, code := range e.Items {
			if it := c.item(code); it != nil {
				g.closeDuban(c, it, now)
			}
		}
	case *domain.CaseWithdrawn, *domain.CaseTerminated:
		for _, it := range c.items {
			g.closeDuban(c, it, now)
		}
	case *domain.BundleCompleted:
		g.completed(c, now)
	case *domain.CaseRefused:
		g.rate(c, now)
	case *domain.CaseRated:
		if e.Label.Bad() {
			g.handleBadRating(c, now)
		}
	}
}

// closeDuban plans the supervisor closing the item's open 督办, if any.
func (g *Generator) closeDuban(c *caseSim, it *itemSim, now time.Time) {
	if it.duban == "" {
		return
	}
	id := it.duban
	it.duban = ""
	g.schedule(c, g.clock.within(c.r, officeHours, now, c.r.IntN(3)), func(now time.Time) domain.Command {
		return &domain.CloseDuban{CommandMeta: c.meta(supervisor(c.r, c.region), now), DubanID: id,
			Result: "事项已办结，督办事项完成"}
	})
}

// accepted plans what follows an acceptance besides the dispatches: a
// correction of the acceptance record, the withdrawal of one item, and
// whether a department will ask for a correction (only when the case had
// no notice at intake: one notice per case).
func (g *Generator) accepted(c *caseSim, e *domain.CaseAccepted, now time.Time) {
	r, rt := c.r, g.cfg.Rates
	c.deptSupplement = !c.state.Supplement.Requested && chance(r, rt.DepartmentSupplement)
	if chance(r, rt.Correction) {
		number, id := e.AcceptanceNumber, e.ID
		g.schedule(c, g.clock.within(r, officeHours, now, 1+r.IntN(3)), func(now time.Time) domain.Command {
			return &domain.CorrectEvent{CommandMeta: c.meta(c.window, now), EventID: id, Field: "acceptance_number",
				Correction: number + "A", Reason: "受理编号录入错误，更正"}
		})
	}
	if len(c.bundle.Items) > 1 && chance(r, rt.ItemWithdrawal) {
		g.schedule(c, g.clock.soon(r, onlineHours, now, 20), func(now time.Time) domain.Command {
			var candidates []string
			for _, st := range c.state.Items {
				if st.Status == domain.ItemWaiting || st.Status == domain.ItemSent {
					candidates = append(candidates, st.Code)
				}
			}
			if c.state.Status != domain.StatusAccepted || len(candidates) < 2 {
				return nil // keep at least one item; withdraw the case instead
			}
			return &domain.WithdrawItems{CommandMeta: c.meta(c.applicant, now), Items: []string{pick(r, candidates)},
				Reason: "该事项已另行办理"}
		})
	}
}
