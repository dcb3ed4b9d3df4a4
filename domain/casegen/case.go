package casegen

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// caseSim is one open case: its state as the decider folds it, the people
// acting on it and what is planned for its items. It is dropped once
// nothing more is scheduled for it.
type caseSim struct {
	id, stream string
	index      int
	r          *rand.Rand
	state      domain.State
	bundle     *catalogue.Bundle
	region     string
	channel    domain.Channel
	applicant  domain.Actor // acting as the subject (or the agent)
	window     domain.Actor // the officer who took the case in
	items      []*itemSim
	cmds       int
	// deptSupplement: a department will ask for a correction (补正).
	deptSupplement bool
}

// intake is the path a case takes at the window.
type intake int

const (
	intakeAccept intake = iota
	intakeRefuse
	intakeWithdraw
	intakeTolerance
	intakeSupplement
)

// meta returns the metadata of c's next command. Command IDs are unique
// within the case, which is all domain.EventID needs.
func (c *caseSim) meta(a domain.Actor, at time.Time) domain.CommandMeta {
	c.cmds++
	return domain.CommandMeta{ID: "cmd-" + strconv.Itoa(c.cmds), CaseID: c.id, Actor: a, At: at}
}

func (c *caseSim) item(code string) *itemSim {
	for _, it := range c.items {
		if it.code == code {
			return it
		}
	}
	return nil
}

// companyBundles are the bundles a company applies for; the others are for
// persons.
var companyBundles = []string{"enterprise_change", "transport_company_opening", "restaurant_opening",
	"utility_connection", "credit_repair", "bankruptcy_info_check"}

// arrive creates the next case, submitted at now, and plans its intake.
func (g *Generator) arrive(now time.Time) (*caseSim, domain.Command) {
	k := g.arrived
	g.arrived++
	if g.arrived < g.cfg.Cases {
		g.scheduleArrival()
	}
	// Each case draws from its own stream, so changing one case's plan
	// leaves the others as they were.
	r := rand.New(rand.NewPCG(uint64(g.cfg.Seed), uint64(k)))
	id := caseUUID(r, now)
	c := &caseSim{id: id.String(), stream: "case-" + id.String(), index: k, r: r,
		bundle: g.pickBundle(r), region: pick(r, g.cfg.Regions)}
	c.window = windowOfficer(r, c.region)
	kind := domain.Person
	if slices.Contains(companyBundles, c.bundle.Code) {
		kind = domain.Company
	}
	applicant := subject(r, kind, c.region)
	var agent *domain.Subject
	// Companies act through an agent (经办人) more often than persons.
	agentRate := 0.1
	if kind == domain.Company {
		agentRate = 0.6
	}
	if chance(r, agentRate) {
		a := subject(r, domain.Person, c.region)
		agent = &a
	}
	c.applicant = domain.Actor{Role: domain.RoleApplicant, PersonID: string(applicant.Ref)}
	if agent != nil {
		c.applicant.PersonID = string(agent.Ref)
	}
	c.channel = pickChannel(r)

	path := g.pickIntake(r, c.bundle)
	brought := applicantMaterials(c.bundle)
	var missing []string
	switch path {
	case intakeTolerance:
		minor := slices.DeleteFunc(slices.Clone(brought), func(m string) bool { return keyMaterial(c.bundle, m) })
		r.Shuffle(len(minor), func(i, j int) { minor[i], minor[j] = minor[j], minor[i] })
		missing = minor[:1+r.IntN(min(2, len(minor)))]
	case intakeSupplement:
		shuffled := slices.Clone(brought)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		missing = shuffled[:1+r.IntN(min(3, len(shuffled)))]
	}
	provided := slices.DeleteFunc(brought, func(m string) bool { return slices.Contains(missing, m) })

	submitter := c.applicant
	if c.channel == domain.ChannelWindow {
		submitter = c.window
	}
	cmd := &domain.SubmitCase{CommandMeta: c.meta(submitter, now), BundleCode: c.bundle.Code, Channel: c.channel,
		Applicant: applicant, Agent: agent, Region: c.region, Provided: provided}
	g.planIntake(c, path, now)
	return c, cmd
}

// caseUUID is a version 7 UUID: the submission's Unix milliseconds, then
// random bits from the case's stream, so IDs sort by submission time.
func caseUUID(r *rand.Rand, at time.Time) uuid.UUID {
	var id uuid.UUID
	ms := uint64(at.UnixMilli())
	for i := 0; i < 6; i++ {
		id[i] = byte(ms >> (40 - 8*i))
	}
	for i := 6; i < 16; i++ {
		id[i] = byte(r.Uint32())
	}
	id[6] = 0x70 | id[6]&0x0f // version 7
	id[8] = 0x80 | id[8]&0x3f // RFC 9562 variant
	return id
}

// pickChannel: half at the window, the rest mostly online (shares ours).
func pickChannel(r *rand.Rand) domain.Channel {
	switch x := r.Float64(); {
	case x < 0.5:
		return domain.ChannelWindow
	case x < 0.75:
		return domain.ChannelWeb
	case x < 0.95:
		return domain.ChannelMobile
	}
	return domain.ChannelPost
}

func (g *Generator) pickIntake(r *rand.Rand, b *catalogue.Bundle) intake {
	rt := g.cfg.Rates
	switch {
	case chance(r, rt.Refusal):
		return intakeRefuse
	case chance(r, rt.Withdrawal):
		return intakeWithdraw
	case hasMinor(b) && chance(r, rt.Tolerance):
		return intakeTolerance
	case chance(r, rt.Supplement):
		return intakeSupplement
	}
	return intakeAccept
}

// planIntake schedules the window's decision on a case submitted at now:
// minutes later at the window, within a working day or so for the online
// and post channels.
func (g *Generator) planIntake(c *caseSim, path intake, now time.Time) {
	r := c.r
	at := g.clock.soon(r, officeHours, now, 30)
	if c.channel != domain.ChannelWindow {
		at = g.clock.within(r, officeHours, now, r.IntN(2))
	}
	switch path {
	case intakeRefuse:
		g.schedule(c, at, func(now time.Time) domain.Command {
			return &domain.RefuseCase{CommandMeta: c.meta(c.window, now), Reason: pick(r, refusalReasons),
				LegalBasis: "《中华人民共和国行政许可法》第三十二条", NoticeNumber: c.number("BY", now)}
		})
	case intakeWithdraw:
		g.schedule(c, g.clock.soon(r, onlineHours, now, 120), func(now time.Time) domain.Command {
			return &domain.WithdrawCase{CommandMeta: c.meta(c.applicant, now), Reason: pick(r, withdrawalReasons)}
		})
	case intakeTolerance:
		g.schedule(c, at, func(now time.Time) domain.Command { return g.acceptWithTolerance(c, now) })
	case intakeSupplement:
		g.schedule(c, at, func(now time.Time) domain.Command { return g.requestSupplement(c, now) })
	default:
		g.schedule(c, at, func(now time.Time) domain.Command { return g.accept(c, now) })
	}
}

func (g *Generator) accept(c *caseSim, now time.Time) domain.Command {
	return &domain.AcceptCase{CommandMeta: c.meta(c.window, now), AcceptanceNumber: c.number("SL", now)}
}

// acceptWithTolerance accepts with the materials due within five working
// days (or the promised time if shorter), and plans their arrival or, for
// a share of cases, the lapse the deadline watcher finds.
func (g *Generator) acceptWithTolerance(c *caseSim, now time.Time) domain.Command {
	r := c.r
	on := workday.DateOf(now)
	promised := c.bundle.Promised
	dueBy := g.env.Calendar.Due(on, workday.Limit{Value: min(5, promised.Value), Unit: promised.Unit})
	if chance(r, g.cfg.Rates.ToleranceLapse) {
		g.schedule(c, g.clock.watch(dueBy.AddDays(1), now), func(now time.Time) domain.Command {
			t := c.state.Acceptance.Tolerance
			if c.state.Status != domain.StatusAccepted || t == nil || len(t.Missing) == 0 {
				return nil // the case completed first
			}
			return &domain.LapseTolerance{CommandMeta: c.meta(watcher(c.region), now)}
		})
	} else {
		days := 1 + r.IntN(max(1, g.env.Calendar.WorkingDaysBetween(on, dueBy)))
		g.schedule(c, g.clock.within(r, officeHours, now, days), func(now time.Time) domain.Command {
			t := c.state.Acceptance.Tolerance
			if c.state.Closed() || t == nil || len(t.Missing) == 0 {
				return nil
			}
			return &domain.SupplyToleranceMaterials{CommandMeta: c.meta(c.window, now), Materials: slices.Clone(t.Missing)}
		})
	}
	return &domain.AcceptWithTolerance{CommandMeta: c.meta(c.window, now), AcceptanceNumber: c.number("SL", now),
		CommitmentRef: c.number("RQ", now), DueBy: dueBy,
		CreditCheck: domain.CreditCheck{Ref: c.number("XY", now)}}
}

// requestSupplement issues the one-time notice of everything missing and
// plans the applicant's answer: all of it some working days later, or,
// for a share of notices, nothing (half of those applicants withdraw).
func (g *Generator) requestSupplement(c *caseSim, now time.Time) domain.Command {
	r := c.r
	missing := append(slices.Clone(c.state.MissingKey), c.state.MissingMinor...)
	switch {
	case !chance(r, g.cfg.Rates.Abandon):
		g.schedule(c, g.clock.within(r, officeHours, now, 1+r.IntN(8)), func(now time.Time) domain.Command {
			g.schedule(c, g.clock.soon(r, officeHours, now, 30), func(now time.Time) domain.Command { return g.accept(c, now) })
			return &domain.ReceiveSupplement{CommandMeta: c.meta(c.window, now), Materials: slices.Clone(c.state.Supplement.Missing)}
		})
	case chance(r, 0.5):
		g.schedule(c, g.clock.within(r, onlineHours, now, 10+r.IntN(20)), func(now time.Time) domain.Command {
			return &domain.WithdrawCase{CommandMeta: c.meta(c.applicant, now), Reason: "材料无法补齐"}
		})
	}
	return &domain.RequestSupplement{CommandMeta: c.meta(c.window, now), Missing: missing, NoticeNumber: c.number("BZ", now)}
}

// number is a document number made of the usual parts (办件编号): region,
// a type code, date and a sequence, unique per case and command. The type
// code sits between the region and the date so that a 9-digit region and
// a date never run into 17 digits, which would read as an identity number.
func (c *caseSim) number(typ string, at time.Time) string {
	return c.region + typ + at.In(china).Format("20060102") + strconv.Itoa(100000+c.index) + "-" + strconv.Itoa(c.cmds)
}

var refusalReasons = []string{"申请事项不属于本机关职权范围", "申请人不具备申请资格", "申请事项依法不需要取得行政许可"}

var withdrawalReasons = []string{"申请人主动撤回", "已通过其他渠道办理", "情况发生变化，不再办理"}

// applicantMaterials lists the materials the applicant brings, each once,
// in catalogue order.
func applicantMaterials(b *catalogue.Bundle) []string {
	var out []string
	for _, it := range b.Items {
		for _, m := range it.Materials {
			if m.Source == catalogue.FromApplicant && !slices.Contains(out, m.Code) {
				out = append(out, m.Code)
			}
		}
	}
	return out
}

// keyMaterial reports whether any item needs m as a key material (the
// decider's rule for what tolerance may leave out).
func keyMaterial(b *catalogue.Bundle, m string) bool {
	for _, it := range b.Items {
		if mat, ok := it.Material(m); ok && mat.Key {
			return true
		}
	}
	return false
}

func hasMinor(b *catalogue.Bundle) bool {
	return slices.ContainsFunc(applicantMaterials(b), func(m string) bool { return !keyMaterial(b, m) })
}
