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

// getCase serves GET /v1/cases/{id}, as it is or, with version or as_of,
// as it was. Department officers see only their department's items;
// analysts read de-identified data only and are refused by the route.
func (s *Server) getCase(c echo.Context) error {
	recorded, err := s.readVisible(c)
	if err != nil {
		return err
	}
	cut, err := asOf(c, recorded)
	if err != nil {
		return err
	}
	if cut == 0 {
		return domain.Errorf(domain.CodeNotFound, "the case did not exist at that point")
	}
	out, err := statusAt(principal(c), recorded[:cut])
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", `"`+uintString(out.Version)+`"`)
	return writeJSON(c, http.StatusOK, out)
}

// readVisible reads the route's case and checks that the principal may
// see it. Visibility follows the case as it is now: who a case belongs to
// never changes, and a case must not become visible by asking about its
// past. Those it is not visible to get the same answer as for a missing
// case.
func (s *Server) readVisible(c echo.Context) ([]eventstore.RecordedEvent, error) {
	caseID, err := caseParam(c)
	if err != nil {
		return nil, err
	}
	recorded, err := s.store.ReadStream(c.Request().Context(), caseStream(caseID), eventstore.ReadStreamOptions{})
	if err != nil {
		return nil, err
	}
	st, err := fold(recorded)
	if err != nil {
		return nil, err
	}
	if !visible(principal(c), &st) {
		return nil, domain.Errorf(domain.CodeNotFound, "no such case")
	}
	return recorded, nil
}

// statusAt is the case after the given events (at least one), as p may
// see it.
func statusAt(p Principal, recorded []eventstore.RecordedEvent) (caseStatus, error) {
	st, err := fold(recorded)
	if err != nil {
		return caseStatus{}, err
	}
	last := recorded[len(recorded)-1]
	out := caseStatus{CaseID: st.CaseID, Version: last.Version, Position: last.Position, Status: string(st.Status),
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
	return out, nil
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func uintString(v uint64) string { return strconv.FormatUint(v, 10) }

// fold replays recorded events into a case state.
func fold(recorded []eventstore.RecordedEvent) (domain.State, error) {
	var st domain.State
	for i := range recorded {
		ev, err := domain.DecodeRecorded(recorded[i])
		if err != nil {
			return st, err
		}
		st = domain.Evolve(st, ev)
	}
	return st, nil
}

// asOf reads the optional point in the case's history a query asks about:
// version (the case after that event) or as_of (an RFC 3339 time: the case
// as the ledger had recorded it then). It returns how many of the recorded
// events that point includes.
func asOf(c echo.Context, recorded []eventstore.RecordedEvent) (int, error) {
	v, t := c.QueryParam("version"), c.QueryParam("as_of")
	switch {
	case v != "" && t != "":
		return 0, invalidField("as_of", "give version or as_of, not both")
	case v != "":
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, invalidField("version", "must be a case version (0 or more)")
		}
		if n >= uint64(len(recorded)) {
			return len(recorded), nil
		}
		return int(n) + 1, nil
	case t != "":
		at, err := parseTime("as_of", t)
		if err != nil {
			return 0, err
		}
		n := 0
		for n < len(recorded) && !recorded[n].RecordedAt.After(at) {
			n++
		}
		return n, nil
	}
	return len(recorded), nil
}
