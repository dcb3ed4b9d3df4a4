package casegen

import (
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
)

// The steps of an item, in the order startItem plans them. Each builds the
// command of the item's officer; opinions and reasons are the stock phrases
// of the trade, never personal data.

func acceptItem(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return &domain.AcceptItem{CommandMeta: c.meta(it.officer, now), Item: it.code}
}

func extendItem(days int) func(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return func(c *caseSim, it *itemSim, now time.Time) domain.Command {
		return &domain.ExtendDeadline{CommandMeta: c.meta(it.approver, now), Item: it.code,
			By: workday.Limit{Value: days, Unit: it.spec.MaxExtension.Unit}, ApprovalRef: c.number("YQ", now),
			Reason: "情况复杂，经本机关负责人批准延长审批期限"}
	}
}

var opinions = map[domain.Step]map[domain.Action]string{
	domain.StepHandle:  {domain.ActionPass: "材料齐全，符合法定形式，拟同意"},
	domain.StepReview:  {domain.ActionPass: "经审核，同意承办意见", domain.ActionReturn: "材料信息不一致，退回承办人核实"},
	domain.StepApprove: {domain.ActionPass: "同意"},
}

func recordStep(s domain.Step, a domain.Action) func(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return func(c *caseSim, it *itemSim, now time.Time) domain.Command {
		by := it.officer
		switch s {
		case domain.StepReview:
			by = it.reviewer
		case domain.StepApprove:
			by = it.approver
		}
		return &domain.RecordStep{CommandMeta: c.meta(by, now), Item: it.code, Step: s, Action: a,
			Opinion: opinions[s][a]}
	}
}

// requestCorrection is the department's 补正 notice: one material of the
// item, found wanting on examination.
func requestCorrection(c *caseSim, it *itemSim, now time.Time) domain.Command {
	m := pick(c.r, it.spec.Materials)
	return &domain.RequestSupplement{CommandMeta: c.meta(it.officer, now), Missing: []string{m.Code},
		NoticeNumber: c.number("BZ", now)}
}

func receiveCorrection(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return &domain.ReceiveSupplement{CommandMeta: c.meta(it.officer, now), Materials: slices.Clone(c.state.Supplement.Missing)}
}

var specialKinds = []domain.SpecialKind{domain.SpecialSiteCheck, domain.SpecialSiteCheck, domain.SpecialTesting,
	domain.SpecialExpert, domain.SpecialInspection, domain.SpecialHearing}

func startSpecial(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return &domain.StartSpecialProcedure{CommandMeta: c.meta(it.officer, now), Item: it.code,
		Kind: pick(c.r, specialKinds), Reason: "依法需要核查，所需时间不计入办理时限"}
}

func endSpecial(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return &domain.EndSpecialProcedure{CommandMeta: c.meta(it.officer, now), Item: it.code, Result: "核查通过"}
}

func suspendItem(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return &domain.SuspendItem{CommandMeta: c.meta(it.officer, now), Item: it.code, Reason: "等待外单位协查回复"}
}

func resumeItem(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return &domain.ResumeItem{CommandMeta: c.meta(it.officer, now), Item: it.code}
}

// decideItem concludes the item: denied, approved, or approved with
// tolerance while the materials of a tolerant acceptance are outstanding.
func decideItem(deny bool) func(c *caseSim, it *itemSim, now time.Time) domain.Command {
	return func(c *caseSim, it *itemSim, now time.Time) domain.Command {
		cmd := &domain.DecideItem{CommandMeta: c.meta(it.approver, now), Item: it.code, Outcome: domain.Approved,
			Opinion: "准予许可"}
		switch t := c.state.Acceptance.Tolerance; {
		case deny:
			cmd.Outcome, cmd.Opinion = domain.Denied, "不符合法定条件，不予许可"
			cmd.LegalBasis = "《中华人民共和国行政许可法》第三十八条第二款"
		case t != nil && len(t.Missing) > 0:
			cmd.Outcome, cmd.Opinion = domain.ApprovedTolerance, "容缺办理，准予许可，待补齐材料"
		}
		return cmd
	}
}

// issueCertificate records the result document of an approved item; most
// are also issued as electronic certificates (电子证照).
func (g *Generator) issueCertificate(c *caseSim, it *itemSim, now time.Time) domain.Command {
	if c.state.Closed() {
		return nil // terminated in the meantime (a tolerance lapse)
	}
	unit := it.dept
	if d, ok := g.env.Catalogue.Department(it.dept); ok {
		unit = d.NameZH
	}
	cert := domain.Certificate{Name: it.spec.NameZH + "结果文书", Number: c.number("ZZ", now), IssuingUnit: unit,
		ValidFrom: workday.DateOf(now)}
	if chance(c.r, 0.7) {
		cert.ECertRef = "ecert-" + randomHex(c.r, 8)
	}
	return &domain.IssueCertificate{CommandMeta: c.meta(it.officer, now), Item: it.code, Certificate: cert}
}
