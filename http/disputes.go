package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/dispute"
)

// disputeJSON is a dispute (a complaint or a bad rating) as supervisors
// read it. The read model stores compact field names; the API spells them
// out.
type disputeJSON struct {
	ID         string           `json:"id"`
	Kind       string           `json:"kind"`
	CaseID     string           `json:"case_id"`
	Region     string           `json:"region"`
	Bundle     string           `json:"bundle"`
	Filed      refJSON          `json:"filed"`
	Disputed   refJSON          `json:"disputed"`
	Department string           `json:"department,omitempty"`
	Item       string           `json:"item,omitempty"`
	Step       string           `json:"step,omitempty"`
	Label      string           `json:"label,omitempty"`
	Tags       []string         `json:"tags,omitempty"`
	Handling   []refJSON        `json:"handling"`
	Deadline   dispute.Deadline `json:"deadline"`
	Closed     bool             `json:"closed"`
}

// refJSON names one event of the case: its version indexes the case's
// timeline and raw events.
type refJSON struct {
	Version  uint64 `json:"version"`
	EventID  string `json:"event_id"`
	Type     string `json:"type"`
	On       string `json:"on"`
	Deadline string `json:"deadline,omitempty"`
}

func toDisputeJSON(d *dispute.Dispute, today workday.Date) disputeJSON {
	ref := func(r dispute.Ref) refJSON {
		return refJSON{Version: r.Version, EventID: r.EventID, Type: r.Type, On: r.On.String()}
	}
	out := disputeJSON{ID: d.ID, Kind: string(d.Kind), CaseID: d.CaseID, Region: d.Region, Bundle: d.Bundle,
		Filed: ref(d.Filed), Disputed: ref(d.Disputed), Department: d.Department, Item: d.Item, Step: string(d.Step),
		Label: string(d.Label), Tags: d.Tags, Handling: make([]refJSON, len(d.Handling)),
		Deadline: dispute.DeadlineOf(d, today, workday.Default()), Closed: d.Closed}
	for i, h := range d.Handling {
		out.Handling[i] = ref(h.Ref)
		out.Handling[i].Deadline = h.Deadline.String()
	}
	return out
}

type disputePage struct {
	Disputes   []disputeJSON `json:"disputes"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// openDisputes serves GET /v1/disputes: the open complaints and bad
// ratings of the supervisor's region (an admin names the region), in filing
// order.
func (s *Server) openDisputes(c echo.Context) error {
	if s.cfg.Views == nil {
		return domain.Errorf(domain.CodeUnavailable, "the read models are not available on this server")
	}
	region := c.QueryParam("region")
	if p := principal(c); p.Role == RoleSupervisor {
		region = p.Region
	}
	if region == "" {
		return invalidField("region", "is required")
	}
	limit, err := queryInt(c, "limit", 100, 1, dispute.MaxPage)
	if err != nil {
		return err
	}
	minPosition, err := queryUint(c, "min_position")
	if err != nil {
		return err
	}
	page, err := dispute.ListOpen(c.Request().Context(), s.cfg.Views, minPosition, region, c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	today := workday.DateOf(s.cfg.Now())
	out := disputePage{Disputes: make([]disputeJSON, len(page.Disputes)), NextCursor: page.Next}
	for i := range page.Disputes {
		out.Disputes[i] = toDisputeJSON(&page.Disputes[i], today)
	}
	return writeJSON(c, http.StatusOK, out)
}

type dossierJSON struct {
	Dispute disputeJSON `json:"dispute"`
	// Timeline and AtStep are the read models' documents as they are: the
	// case's supervisor timeline and the case right after the disputed
	// step.
	Timeline any `json:"timeline"`
	AtStep   any `json:"at_step"`
}

// disputeDossier serves GET /v1/disputes/{id}: everything a supervisor
// needs to review one dispute.
func (s *Server) disputeDossier(c echo.Context) error {
	if s.cfg.Views == nil {
		return domain.Errorf(domain.CodeUnavailable, "the read models are not available on this server")
	}
	id, err := parseUUID("id", c.Param("id"))
	if err != nil {
		return err
	}
	minPosition, err := queryUint(c, "min_position")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := dispute.Find(ctx, s.cfg.Views, minPosition, id.String())
	if err != nil {
		return err
	}
	if p := principal(c); p.Role == RoleSupervisor && !inRegion(p.Region, d.Region) {
		return domain.Errorf(domain.CodeNotFound, "no dispute %s", id)
	}
	doss, err := dispute.Get(ctx, s.cfg.Views, s.store, minPosition, id.String(), s.cfg.Now(), workday.Default())
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, dossierJSON{Dispute: toDisputeJSON(&doss.Dispute, workday.DateOf(s.cfg.Now())),
		Timeline: doss.Timeline, AtStep: doss.AtStep})
}
