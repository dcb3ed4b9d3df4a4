package http

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections/casestatus"
)

// caseSummary is one row of a case list.
type caseSummary struct {
	CaseID      string `json:"case_id"`
	Bundle      string `json:"bundle"`
	Status      string `json:"status"`
	SubmittedOn string `json:"submitted_on"`
	PromisedDue string `json:"promised_due,omitempty"`
}

type caseListPage struct {
	Cases      []caseSummary `json:"cases"`
	NextCursor string        `json:"next_cursor,omitempty"`
	Position   uint64        `json:"position"`
}

// listCases serves GET /v1/cases: the caller's cases, from the casestatus
// read model once it has reached min_position.
//
//   - Applicants get the cases they applied for or act as agent in, newest
//     first.
//   - Window officers and supervisors get the cases of their region, by
//     status and oldest first, all statuses or ?status=. The read model
//     indexes the exact region code and not the intake centre, so a window
//     officer sees the whole region's cases, as GET /v1/cases/{id} lets them.
//   - Department officers get their region's cases whose bundle has an item
//     of their department. The index has no department, so a page is read
//     and then filtered: a page may hold fewer than limit cases, even none,
//     while next_cursor still says more may follow.
//
// ?status= filters the applicant's list the same way, so their pages may be
// short too. Analysts (de-identified metrics only) and admins (who manage,
// and do not work cases) are refused by the route.
func (s *Server) listCases(c echo.Context) error {
	if s.cfg.Views == nil {
		return domain.Errorf(domain.CodeUnavailable, "the read models are not available on this server")
	}
	var fe fieldErrors
	status := domain.Status(c.QueryParam("status"))
	if !listableStatus(status) {
		fe.add("status", "must be one of submitted, accepted, refused, completed, withdrawn, terminated")
	}
	limit, err := queryInt(c, "limit", casestatus.DefaultLimit, 1, casestatus.MaxLimit)
	if err != nil {
		fe = append(fe, fieldsOf(err)...)
	}
	minPosition, err := queryUint(c, "min_position")
	if err != nil {
		fe = append(fe, fieldsOf(err)...)
	}
	if err := fe.err(); err != nil {
		return err
	}
	ctx, cursor, p := c.Request().Context(), c.QueryParam("cursor"), principal(c)
	var page casestatus.Page
	var keep func(*casestatus.Summary) (bool, error)
	if p.Role == RoleApplicant {
		page, err = casestatus.ListBySubject(ctx, s.cfg.Views, domain.SubjectRef(p.Subject), minPosition, cursor, limit)
		keep = func(sum *casestatus.Summary) (bool, error) {
			return status == domain.StatusNone || sum.Status == status, nil
		}
	} else {
		page, err = casestatus.ListByRegion(ctx, s.cfg.Views, p.Region, status, minPosition, cursor, limit)
		keep = func(sum *casestatus.Summary) (bool, error) { return s.involves(ctx, p, sum.CaseID) }
	}
	if err != nil {
		return viewError(err)
	}
	out := caseListPage{Cases: []caseSummary{}, NextCursor: page.Next, Position: page.Position}
	for i := range page.Cases {
		sum := &page.Cases[i]
		if ok, err := keep(sum); err != nil {
			return err
		} else if !ok {
			continue
		}
		out.Cases = append(out.Cases, caseSummary{CaseID: sum.CaseID, Bundle: sum.Bundle, Status: string(sum.Status),
			SubmittedOn: sum.SubmittedOn.String(), PromisedDue: sum.PromisedDue.String()})
	}
	return writeJSON(c, http.StatusOK, out)
}

// listableStatus reports whether status may be asked for; empty means
// every status.
func listableStatus(status domain.Status) bool {
	return slices.Contains([]domain.Status{domain.StatusNone, domain.StatusSubmitted, domain.StatusAccepted, domain.StatusRefused,
		domain.StatusCompleted, domain.StatusWithdrawn, domain.StatusTerminated}, status)
}

// involves reports whether a department officer may see a listed case: by
// the departments of the case's own bundle snapshot (its owners, cached
// after the first read), never by the catalogue in force, which may have
// changed since the case was submitted. Other roles see the whole page.
func (s *Server) involves(ctx context.Context, p Principal, caseID string) (bool, error) {
	if p.Role != RoleDepartment {
		return true, nil
	}
	o, err := s.caseOwners(ctx, caseID)
	if err != nil {
		return false, err
	}
	return visible(p, o), nil
}

// fieldsOf returns the field errors of an invalid-request error, so that
// several bad query parameters are reported together.
func fieldsOf(err error) []domain.FieldError {
	var de *domain.Error
	if errors.As(err, &de) && len(de.Fields) > 0 {
		return de.Fields
	}
	return []domain.FieldError{{Field: "query", Message: err.Error()}}
}
