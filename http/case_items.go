package http

import (
	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
)

// Item commands act on one item of a case, named by its catalogue code in
// the route; only department officers give them, and the decider checks
// that the item is their department's (rule C1).

type emptyRequest struct{}

func mapAcceptItem(c echo.Context, _ *emptyRequest) (*domain.AcceptItem, *domain.CommandMeta, error) {
	cmd := &domain.AcceptItem{Item: c.Param("item")}
	return cmd, &cmd.CommandMeta, nil
}

type stepRequest struct {
	Step    string `json:"step"`
	Action  string `json:"action"`
	Opinion string `json:"opinion"`
}

func mapStep(c echo.Context, r *stepRequest) (*domain.RecordStep, *domain.CommandMeta, error) {
	cmd := &domain.RecordStep{Item: c.Param("item"), Step: domain.Step(r.Step), Action: domain.Action(r.Action), Opinion: r.Opinion}
	return cmd, &cmd.CommandMeta, nil
}

func mapSuspend(c echo.Context, r *reasonRequest) (*domain.SuspendItem, *domain.CommandMeta, error) {
	cmd := &domain.SuspendItem{Item: c.Param("item"), Reason: r.Reason}
	return cmd, &cmd.CommandMeta, nil
}

func mapResume(c echo.Context, _ *emptyRequest) (*domain.ResumeItem, *domain.CommandMeta, error) {
	cmd := &domain.ResumeItem{Item: c.Param("item")}
	return cmd, &cmd.CommandMeta, nil
}

type extendRequest struct {
	By struct {
		Value int    `json:"value"`
		Unit  string `json:"unit"`
	} `json:"by"`
	ApprovalRef string `json:"approval_ref"`
	Reason      string `json:"reason"`
}

func mapExtend(c echo.Context, r *extendRequest) (*domain.ExtendDeadline, *domain.CommandMeta, error) {
	cmd := &domain.ExtendDeadline{Item: c.Param("item"), By: workday.Limit{Value: r.By.Value, Unit: workday.Unit(r.By.Unit)},
		ApprovalRef: r.ApprovalRef, Reason: r.Reason}
	return cmd, &cmd.CommandMeta, nil
}

type decideRequest struct {
	Outcome    string `json:"outcome"`
	LegalBasis string `json:"legal_basis"`
	Opinion    string `json:"opinion"`
}

func mapDecide(c echo.Context, r *decideRequest) (*domain.DecideItem, *domain.CommandMeta, error) {
	cmd := &domain.DecideItem{Item: c.Param("item"), Outcome: domain.Outcome(r.Outcome), LegalBasis: r.LegalBasis, Opinion: r.Opinion}
	return cmd, &cmd.CommandMeta, nil
}

type certificateRequest struct {
	Name        string `json:"name"`
	Number      string `json:"number"`
	ECertRef    string `json:"ecert_ref"`
	IssuingUnit string `json:"issuing_unit"`
	ValidFrom   string `json:"valid_from"`
	ValidUntil  string `json:"valid_until"`
}

func mapCertificate(c echo.Context, r *certificateRequest) (*domain.IssueCertificate, *domain.CommandMeta, error) {
	var fe fieldErrors
	from, err := parseDate("valid_from", r.ValidFrom)
	if err != nil {
		fe.add("valid_from", "must be a date such as 2026-02-26")
	}
	var until workday.Date
	if r.ValidUntil != "" {
		if until, err = parseDate("valid_until", r.ValidUntil); err != nil {
			fe.add("valid_until", "must be a date such as 2031-02-26")
		}
	}
	if err := fe.err(); err != nil {
		return nil, nil, err
	}
	cmd := &domain.IssueCertificate{Item: c.Param("item"), Certificate: domain.Certificate{Name: r.Name, Number: r.Number,
		ECertRef: r.ECertRef, IssuingUnit: r.IssuingUnit, ValidFrom: from, ValidUntil: until}}
	return cmd, &cmd.CommandMeta, nil
}
