package casegen

import (
	"math/rand/v2"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// completed plans what follows a bundle's completion: delivery of the
// certificates, the applicant's rating and, now and then, a complaint.
func (g *Generator) completed(c *caseSim, now time.Time) {
	r, rt := c.r, g.cfg.Rates
	// Two working days leaves time for the certificates of the last
	// decisions, which are issued within the hour after them.
	g.schedule(c, g.clock.within(r, officeHours, now, 2), func(now time.Time) domain.Command {
		return g.deliver(c, now)
	})
	g.rate(c, now)
	p := rt.Complaint
	if late(&c.state) {
		p = rt.ComplaintLate
	}
	if chance(r, p) {
		g.schedule(c, g.clock.within(r, onlineHours, now, r.IntN(5)), func(now time.Time) domain.Command {
			return g.complain(c, now)
		})
	}
}

// deliver hands over the case's certificates in one delivery: pushed as
// electronic certificates when all have one (half the time), otherwise
// posted or picked up at the window.
func (g *Generator) deliver(c *caseSim, now time.Time) domain.Command {
	var items []string
	ecert := true
	for _, st := range c.state.Items {
		if st.Certificate != nil {
			items = append(items, st.Code)
			ecert = ecert && st.Certificate.ECertRef != ""
		}
	}
	if len(items) == 0 {
		return nil
	}
	r := c.r
	switch {
	case ecert && chance(r, 0.5):
		system := domain.Actor{Role: domain.RoleSystem, PersonID: "ecert-push", Region: c.region}
		return &domain.DeliverResults{CommandMeta: c.meta(system, now), Method: domain.DeliverECert, Items: items}
	case chance(r, 0.4):
		return &domain.DeliverResults{CommandMeta: c.meta(c.window, now), Method: domain.DeliverPost, Items: items,
			TrackingNumber: "EMS" + randomCode(r, 10, "0123456789")}
	}
	return &domain.DeliverResults{CommandMeta: c.meta(c.window, now), Method: domain.DeliverPickup, Items: items}
}

// late reports whether an item of the case had an overdue warning, which
// is how an applicant experiences a delay.
func late(s *domain.State) bool {
	for i := range s.Items {
		if hasWarning(&s.Items[i], domain.WarningOverdue) {
			return true
		}
	}
	return false
}

var (
	goodLabels = []domain.RatingLabel{domain.VerySatisfied, domain.VerySatisfied, domain.VerySatisfied,
		domain.VerySatisfied, domain.VerySatisfied, domain.VerySatisfied, domain.VerySatisfied,
		domain.Satisfied, domain.Satisfied, domain.FairlySatisfied}
	badLabels = []domain.RatingLabel{domain.Dissatisfied, domain.Dissatisfied, domain.VeryDissatisfied}
	badTags   = []string{"办理时间长", "多次跑动", "材料要求不清", "服务态度差", "系统操作不便"}
)

// rate plans the applicant's rating of a completed or refused case, within
// a week; refused and late cases draw bad ratings at the higher rate.
func (g *Generator) rate(c *caseSim, now time.Time) {
	r, rt := c.r, g.cfg.Rates
	if !chance(r, rt.Rating) {
		return
	}
	p := rt.BadRating
	if c.state.Status == domain.StatusRefused || late(&c.state) {
		p = rt.BadRatingLate
	}
	cmd := &domain.RateCase{Label: pick(r, goodLabels), Channel: domain.ChannelMobile}
	if chance(r, p) {
		cmd.Label = pick(r, badLabels)
		cmd.ReasonTags = []string{pick(r, badTags)}
		if r.IntN(3) == 0 {
			if t := pick(r, badTags); t != cmd.ReasonTags[0] {
				cmd.ReasonTags = append(cmd.ReasonTags, t)
			}
		}
	}
	if c.channel == domain.ChannelWindow && chance(r, 0.6) {
		cmd.Channel = domain.ChannelWindow // the rating pad at the counter
	}
	g.schedule(c, g.clock.within(r, onlineHours, now, r.IntN(5)), func(now time.Time) domain.Command {
		cmd.CommandMeta = c.meta(c.applicant, now)
		return cmd
	})
}

// blamed is the department a bad rating or complaint is about: the one of
// a late item if any, otherwise any department of the case.
func blamed(r *rand.Rand, s *domain.State) (dept, item string) {
	for i := range s.Items {
		if hasWarning(&s.Items[i], domain.WarningOverdue) {
			return s.Items[i].Department, s.Items[i].Code
		}
	}
	it := pick(r, s.Items)
	return it.Department, it.Code
}

// complain files a complaint against the blamed department's handling of
// its item, answered within ten working days by the department or a
// supervisor.
func (g *Generator) complain(c *caseSim, now time.Time) domain.Command {
	r := c.r
	dept, code := blamed(r, &c.state)
	cmd := &domain.FileComplaint{CommandMeta: c.meta(c.applicant, now), Department: dept, Summary: "办理超时且未说明原因"}
	if st, _ := c.state.Item(code); len(st.Steps) > 0 {
		cmd.Item, cmd.Step = code, domain.StepHandle
	}
	answerer := departmentOfficer(r, c.region, dept)
	if chance(r, 0.4) {
		answerer = supervisor(r, c.region)
	}
	g.schedule(c, g.clock.within(r, officeHours, now, 1+r.IntN(8)), func(now time.Time) domain.Command {
		id := c.state.Complaints[len(c.state.Complaints)-1].ID
		return &domain.AnswerComplaint{CommandMeta: c.meta(answerer, now), ComplaintID: id,
			Answer: "经核查情况属实，已督促部门整改并向申请人说明"}
	})
	return cmd
}

// handleBadRating runs a bad rating through its handling (国办发〔2019〕51号):
// callback, triage, then rectification and sign-off for a founded or
// reasonable rating, or for a malicious one an appeal most of the time,
// its decision and the sign-off.
func (g *Generator) handleBadRating(c *caseSim, now time.Time) {
	r := c.r
	dept, _ := blamed(r, &c.state)
	officer := departmentOfficer(r, c.region, dept)
	sup := supervisor(r, c.region)
	verdict := domain.VerdictTrue
	switch x := r.Float64(); {
	case x < 0.25:
		verdict = domain.VerdictMalicious
	case x < 0.55:
		verdict = domain.VerdictReasonable
	}
	steps := []func(now time.Time) domain.Command{
		func(now time.Time) domain.Command {
			return &domain.CallBackRating{CommandMeta: c.meta(sup, now), Notes: "已电话回访申请人，了解差评原因"}
		},
		func(now time.Time) domain.Command {
			return &domain.TriageRating{CommandMeta: c.meta(sup, now), Verdict: verdict, Reason: "经调查核实"}
		},
	}
	switch {
	case verdict != domain.VerdictMalicious:
		steps = append(steps, func(now time.Time) domain.Command {
			return &domain.ReportRectification{CommandMeta: c.meta(officer, now), Summary: "已优化办理流程并向申请人致歉"}
		})
	case chance(r, 0.6):
		upheld := chance(r, 0.7)
		steps = append(steps,
			func(now time.Time) domain.Command {
				return &domain.AppealRating{CommandMeta: c.meta(officer, now), Grounds: "差评与办理事实不符"}
			},
			func(now time.Time) domain.Command {
				return &domain.DecideAppeal{CommandMeta: c.meta(sup, now), Upheld: upheld, Reason: "经复核"}
			})
	}
	steps = append(steps, func(now time.Time) domain.Command {
		return &domain.SignOffRating{CommandMeta: c.meta(sup, now), Notes: "整改完成，同意办结"}
	})
	g.chain(c, now, steps)
}

// chain runs steps one after the other, each one to three working days
// after the previous.
func (g *Generator) chain(c *caseSim, now time.Time, steps []func(now time.Time) domain.Command) {
	if len(steps) == 0 {
		return
	}
	g.schedule(c, g.clock.within(c.r, officeHours, now, 1+c.r.IntN(3)), func(now time.Time) domain.Command {
		g.chain(c, now, steps[1:])
		return steps[0](now)
	})
}
