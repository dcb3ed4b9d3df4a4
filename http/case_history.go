package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections/timeline"
)

// timelineEntry is one step of a case's history as participants read it:
// what happened, when, and by which role and unit. The person behind an
// officer's action is shown to supervisors and admins only, who audit who
// did what; the event data stays with the raw events route.
type timelineEntry struct {
	Version    uint64 `json:"version"`
	Type       string `json:"type"`
	OccurredAt string `json:"occurred_at"`
	RecordedAt string `json:"recorded_at"`
	Role       string `json:"role"`
	Unit       string `json:"unit,omitempty"`
	Person     string `json:"person,omitempty"`
	Item       string `json:"item,omitempty"`
}

type timelinePage struct {
	Entries    []timelineEntry `json:"entries"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// timeline serves GET /v1/cases/{id}/timeline, oldest first, a page at a
// time, from the timeline read model once it has reached min_position (on a
// server without read models, from the case's stream). Department officers
// see the case-wide steps and those of their department's items.
func (s *Server) timeline(c echo.Context) error {
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	from, err := decodeCursor(c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	minPosition, err := queryUint(c, "min_position")
	if err != nil {
		return err
	}
	entries, err := s.timelineEntries(c, minPosition)
	if err != nil {
		return err
	}
	page := timelinePage{Entries: []timelineEntry{}}
	for _, e := range entries {
		if e.Version < from {
			continue
		}
		if len(page.Entries) == limit {
			page.NextCursor = encodeCursor(e.Version)
			break
		}
		page.Entries = append(page.Entries, e)
	}
	return writeJSON(c, http.StatusOK, page)
}

// timelineEntries are the route's case's entries the principal may see.
func (s *Server) timelineEntries(c echo.Context, minPosition uint64) ([]timelineEntry, error) {
	p := principal(c)
	if s.cfg.Views == nil {
		recorded, err := s.readVisible(c)
		if err != nil {
			return nil, err
		}
		return timelineOf(p, recorded)
	}
	caseID, err := caseParam(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	if err := s.checkVisible(ctx, p, caseID); err != nil {
		return nil, err
	}
	// Entries carry no working days or item states, so the day and the
	// warning policy asked about do not matter here.
	t, err := timeline.Get(ctx, s.cfg.Views, caseID, minPosition, s.cfg.Now(), workday.Default(), nil)
	if err != nil {
		return nil, viewError(err)
	}
	return timelineOfView(p, &t), nil
}

// timelineOfView turns the read model's steps into the entries p may see,
// as timelineOf does from the events.
func timelineOfView(p Principal, t *timeline.Timeline) []timelineEntry {
	departments := make(map[string]string, len(t.Items)) // item code -> department
	for _, it := range t.Items {
		departments[it.Code] = it.Department
	}
	out := make([]timelineEntry, 0, len(t.Steps))
	for i := range t.Steps {
		st := &t.Steps[i]
		if p.Role == RoleDepartment && st.Item != "" && departments[st.Item] != p.Unit {
			continue
		}
		e := timelineEntry{Version: st.Version, Type: st.Type, OccurredAt: st.OccurredAt.UTC().Format(time.RFC3339),
			RecordedAt: recordedAt(st.RecordedAt), Role: string(st.Actor.Role), Unit: st.Actor.Unit, Item: st.Item}
		if p.Role == RoleSupervisor || p.Role == RoleAdmin {
			e.Person = st.Actor.PersonID
		}
		out = append(out, e)
	}
	return out
}

type diffResponse struct {
	From    caseStatus      `json:"from"`
	To      caseStatus      `json:"to"`
	Entries []timelineEntry `json:"entries"`
}

// diff serves GET /v1/cases/{id}/diff?from=&to=: the case at two versions
// and what happened in between (after from, up to and including to).
func (s *Server) diff(c echo.Context) error {
	recorded, err := s.readVisible(c)
	if err != nil {
		return err
	}
	var fe fieldErrors
	version := func(name string, def uint64) uint64 {
		q := c.QueryParam(name)
		if q == "" {
			return def
		}
		v, err := strconv.ParseUint(q, 10, 64)
		if err != nil || v >= uint64(len(recorded)) {
			fe.add(name, "must be a version of the case, 0 to "+uintString(uint64(len(recorded)-1)))
		}
		return v
	}
	from, to := version("from", 0), version("to", uint64(len(recorded)-1))
	if err := fe.err(); err != nil {
		return err
	}
	if from > to {
		return invalidField("from", "must not be after to")
	}
	p := principal(c)
	out := diffResponse{Entries: []timelineEntry{}}
	if out.From, err = statusAt(p, recorded[:from+1]); err != nil {
		return err
	}
	if out.To, err = statusAt(p, recorded[:to+1]); err != nil {
		return err
	}
	entries, err := timelineOf(p, recorded[from+1:to+1])
	if err != nil {
		return err
	}
	out.Entries = append(out.Entries, entries...)
	return writeJSON(c, http.StatusOK, out)
}

// timelineOf turns recorded events into the entries p may see.
func timelineOf(p Principal, recorded []eventstore.RecordedEvent) ([]timelineEntry, error) {
	departments := map[string]string{} // item code -> department
	out := make([]timelineEntry, 0, len(recorded))
	for i := range recorded {
		ev, err := domain.DecodeRecorded(recorded[i])
		if err != nil {
			return nil, err
		}
		if sub, ok := ev.(*domain.CaseSubmitted); ok {
			for _, it := range sub.Bundle.Items {
				departments[it.Code] = it.Department
			}
		}
		// Item events name their item in the data; the domain types keep it
		// in differently named structs, so read the one field generically.
		var item struct {
			Item string `json:"item"`
		}
		_ = json.Unmarshal(recorded[i].Data, &item) // data is a JSON object; no item is fine
		if p.Role == RoleDepartment && item.Item != "" && departments[item.Item] != p.Unit {
			continue
		}
		m := ev.Meta()
		e := timelineEntry{Version: recorded[i].Version, Type: recorded[i].Type,
			OccurredAt: m.OccurredAt.UTC().Format(time.RFC3339), RecordedAt: recordedAt(recorded[i].RecordedAt),
			Role: string(m.Actor.Role), Unit: m.Actor.Unit, Item: item.Item}
		if p.Role == RoleSupervisor || p.Role == RoleAdmin {
			e.Person = m.Actor.PersonID
		}
		out = append(out, e)
	}
	return out, nil
}

// recordedAt formats a store time to the microsecond, the precision the
// timeline read model keeps, so both sources of entries agree (they agree
// on occurred_at by giving it in UTC, as the read model keeps it).
func recordedAt(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}
