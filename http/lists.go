package http

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/timeline"
)

// listedItemJSON is one running item of the warning and overdue lists.
type listedItemJSON struct {
	CaseID       string `json:"case_id"`
	Item         string `json:"item"`
	Region       string `json:"region"`
	Department   string `json:"department"`
	DispatchedOn string `json:"dispatched_on"`
	Due          string `json:"due"`
	State        string `json:"state"`
	DaysLeft     int    `json:"days_left"`
}

type itemListPage struct {
	Items      []listedItemJSON `json:"items"`
	Position   uint64           `json:"position"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

type itemLister func(ctx context.Context, r *projections.Runner, minPosition uint64, q timeline.ListQuery) (timeline.ItemPage, error)

// overdueItems serves GET /v1/items/overdue: running items past their due
// date on a day (today by default), from the timeline read model.
func (s *Server) overdueItems(c echo.Context) error {
	return s.listItems(c, func(ctx context.Context, r *projections.Runner, min uint64, q timeline.ListQuery) (timeline.ItemPage, error) {
		return timeline.Overdue(ctx, r, min, q, workday.Default())
	})
}

// warningItems serves GET /v1/items/warnings: running items the warning
// policy turns yellow on a day.
func (s *Server) warningItems(c echo.Context) error {
	return s.listItems(c, func(ctx context.Context, r *projections.Runner, min uint64, q timeline.ListQuery) (timeline.ItemPage, error) {
		pol := domain.DefaultPolicy().Warning
		return timeline.Warnings(ctx, r, min, q, workday.Default(), &pol)
	})
}

// listItems reads a list page. Officers and supervisors see their region
// (department officers their department) whatever they ask for; admins
// may filter freely. min_position waits for the read model to include a
// command the caller made (its response's position).
func (s *Server) listItems(c echo.Context, list itemLister) error {
	if s.cfg.Views == nil {
		return domain.Errorf(domain.CodeUnavailable, "the read models are not available on this server")
	}
	var fe fieldErrors
	q := timeline.ListQuery{On: workday.DateOf(s.cfg.Now()), Region: c.QueryParam("region"),
		Department: c.QueryParam("department"), Cursor: c.QueryParam("cursor")}
	if on := c.QueryParam("on"); on != "" {
		d, err := workday.ParseDate(on)
		if err != nil {
			fe.add("on", "must be a date such as 2026-02-26")
		}
		q.On = d
	}
	limit, err := queryInt(c, "limit", timeline.DefaultLimit, 1, timeline.MaxLimit)
	if err != nil {
		return err
	}
	q.Limit = limit
	minPosition, err := queryUint(c, "min_position")
	if err != nil {
		return err
	}
	if err := fe.err(); err != nil {
		return err
	}
	p := principal(c)
	switch p.Role {
	case RoleDepartment:
		q.Region, q.Department = p.Region, p.Unit
	case RoleWindow, RoleSupervisor:
		q.Region = p.Region
	}
	page, err := list(c.Request().Context(), s.cfg.Views, minPosition, q)
	if err != nil {
		return err
	}
	out := itemListPage{Items: make([]listedItemJSON, len(page.Items)), Position: page.Position, NextCursor: page.Next}
	for i, it := range page.Items {
		out.Items[i] = listedItemJSON{CaseID: it.CaseID, Item: it.Item, Region: it.Region, Department: it.Department,
			DispatchedOn: it.DispatchedOn.String(), Due: it.Due.String(), State: string(it.State), DaysLeft: it.DaysLeft}
	}
	return writeJSON(c, http.StatusOK, out)
}
