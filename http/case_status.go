package http

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// caseStatus is a case as its participants follow it. It is folded from
// the case's stream on each request, which is exact (it reflects every
// recorded event) and needs no read model; the projections of a later
// issue take over the lists and metrics that span many cases.
type caseStatus struct {
	CaseID        string       `json:"case_id"`
	Version       uint64       `json:"version"`
	Position      uint64       `json:"position"`
	Status        string       `json:"status"`
	Bundle        string       `json:"bundle"`
	Region        string       `json:"region"`
	SubmittedOn   string       `json:"submitted_on"`
	PromisedDue   string       `json:"promised_due,omitempty"`
	MissingKey    []string     `json:"missing_key"`
	MissingMinor  []string     `json:"missing_minor"`
	SupplementDue bool         `json:"supplement_open"`
	Items         []itemStatus `json:"items"`
}

type itemStatus struct {
	Code       string `json:"code"`
	Department string `json:"department"`
	Status     string `json:"status"`
	Outcome    string `json:"outcome,omitempty"`
	Due        string `json:"due,omitempty"`
}

// getCase serves GET /v1/cases/{id}. Department officers see only their
// department's items; analysts, who read de-identified data only, and those
// the case is not visible to get the same refusal as for a missing case.
func (s *Server) getCase(c echo.Context) error {
	caseID, err := caseParam(c)
	if err != nil {
		return err
	}
	p := principal(c)
	recorded, err := s.store.ReadStream(c.Request().Context(), caseStream(caseID), eventstore.ReadStreamOptions{})
	if err != nil {
		return err
	}
	st := domain.State{}
	for i := range recorded {
		ev, err := domain.DecodeRecorded(recorded[i])
		if err != nil {
			return err
		}
		st = domain.Evolve(st, ev)
	}
	if !visible(p, &st) {
		return domain.Errorf(domain.CodeNotFound, "no such case")
	}
	last := recorded[len(recorded)-1]
	out := caseStatus{CaseID: caseID, Version: last.Version, Position: last.Position, Status: string(st.Status),
		Bundle: st.Bundle.Code, Region: st.Region, SubmittedOn: st.SubmittedAt.String(),
		PromisedDue: st.Acceptance.PromisedDue.String(), MissingKey: nonNil(st.MissingKey), MissingMinor: nonNil(st.MissingMinor),
		SupplementDue: st.Supplement.Open, Items: []itemStatus{}}
	for _, it := range st.Items {
		if p.Role == RoleDepartment && it.Department != p.Unit {
			continue
		}
		out.Items = append(out.Items, itemStatus{Code: it.Code, Department: it.Department, Status: string(it.Status),
			Outcome: string(it.Outcome), Due: it.Due.String()})
	}
	c.Response().Header().Set("ETag", `"`+uintString(out.Version)+`"`)
	return writeJSON(c, http.StatusOK, out)
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func uintString(v uint64) string { return strconv.FormatUint(v, 10) }
