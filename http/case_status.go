package http

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections/casestatus"
)

// caseStatus is a case as its participants follow it. The current status
// comes from the casestatus read model; a past one (version, as_of), and
// the current one on a server without read models, is folded from the
// case's stream. Both fill exactly these fields, so the two answers for the
// latest version are equal but for Position: the log position the answer
// reflects (the read model's, or the case's last event's), usable as the
// min_position of a later query.
type caseStatus struct {
	CaseID            string       `json:"case_id"`
	Version           uint64       `json:"version"`
	Position          uint64       `json:"position"`
	Status            string       `json:"status"`
	Bundle            string       `json:"bundle"`
	Region            string       `json:"region"`
	SubmittedOn       string       `json:"submitted_on"`
	PromisedDue       string       `json:"promised_due,omitempty"`
	SupplementOpen    bool         `json:"supplement_open"`
	SupplementMissing []string     `json:"supplement_missing"`
	ToleranceMissing  []string     `json:"tolerance_missing"`
	Items             []itemStatus `json:"items"`
}

type itemStatus struct {
	Code       string `json:"code"`
	Department string `json:"department"`
	Status     string `json:"status"`
	Outcome    string `json:"outcome,omitempty"`
	Due        string `json:"due,omitempty"`
}

// getCase serves GET /v1/cases/{id}: as it is, from the read model once it
// has reached min_position, or, with version or as_of, as it was. Department
// officers see only their department's items; analysts read de-identified
// data only and are refused by the route.
func (s *Server) getCase(c echo.Context) error {
	minPosition, err := queryUint(c, "min_position")
	if err != nil {
		return err
	}
	if c.QueryParam("version") != "" || c.QueryParam("as_of") != "" || s.cfg.Views == nil {
		return s.getCaseAsOf(c)
	}
	caseID, err := caseParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.checkVisible(ctx, principal(c), caseID); err != nil {
		return err
	}
	st, err := casestatus.Get(ctx, s.cfg.Views, caseID, minPosition, workday.DateOf(s.cfg.Now()), workday.Default())
	if err != nil {
		return viewError(err)
	}
	out := statusOfDoc(principal(c), &st)
	c.Response().Header().Set("ETag", `"`+uintString(out.Version)+`"`)
	return writeJSON(c, http.StatusOK, out)
}

// getCaseAsOf answers GET /v1/cases/{id} by folding the case's stream, up
// to version or as_of when given. The store is always current, so
// min_position needs no wait here.
func (s *Server) getCaseAsOf(c echo.Context) error {
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

// statusOfDoc is the read model's status of a case as p may see it.
func statusOfDoc(p Principal, st *casestatus.Status) caseStatus {
	out := caseStatus{CaseID: st.CaseID, Version: uint64(max(st.Version-1, 0)), Position: st.Position, Status: string(st.Status),
		Bundle: st.Bundle, Region: st.Region, SubmittedOn: st.SubmittedOn.String(), PromisedDue: st.PromisedDue.String(),
		SupplementMissing: []string{}, ToleranceMissing: nonNil(st.ToleranceMissing), Items: make([]itemStatus, 0, len(st.Items))}
	if sup := st.Supplement; sup != nil {
		out.SupplementOpen, out.SupplementMissing = true, nonNil(sup.Missing)
	}
	for _, it := range st.Items {
		if p.Role == RoleDepartment && it.Department != p.Unit {
			continue
		}
		out.Items = append(out.Items, itemStatus{Code: it.Code, Department: it.Department, Status: string(it.Status),
			Outcome: string(it.Outcome), Due: it.Due.String()})
	}
	return out
}

// viewError names a read model that has not reached the caller's
// min_position within the request's deadline. The runner's error wraps the
// context's, which the timeout middleware would turn into a bare "took too
// long"; this one says what to do.
func viewError(err error) error {
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeUnavailable && errors.Is(err, context.DeadlineExceeded) {
		return &domain.Error{Code: domain.CodeUnavailable, Rule: "min_position not reached",
			Message: de.Message + "; retry, or ask without min_position for an answer that may not include your last command"}
	}
	return err
}

// readVisible reads the route's case and checks that the principal may
// see it. Visibility is decided by the submission alone (checkVisible), so
// it is the same at every point of the case's history and a case cannot
// become visible by asking about its past. Those it is not visible to get
// the same answer as for a missing case.
func (s *Server) readVisible(c echo.Context) ([]eventstore.RecordedEvent, error) {
	caseID, err := caseParam(c)
	if err != nil {
		return nil, err
	}
	recorded, err := s.store.ReadStream(c.Request().Context(), caseStream(caseID), eventstore.ReadStreamOptions{})
	if err != nil {
		return nil, err
	}
	if err := s.checkSubmission(principal(c), recorded[:1]); err != nil {
		return nil, err
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
		PromisedDue: st.Acceptance.PromisedDue.String(), SupplementOpen: st.Supplement.Open,
		SupplementMissing: []string{}, ToleranceMissing: []string{}, Items: make([]itemStatus, 0, len(st.Items))}
	if st.Supplement.Open {
		out.SupplementMissing = nonNil(st.Supplement.Missing)
	}
	if t := st.Acceptance.Tolerance; t != nil {
		out.ToleranceMissing = nonNil(t.Missing)
	}
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

// fold replays recorded events into a case state, in place.
func fold(recorded []eventstore.RecordedEvent) (domain.State, error) {
	evs := make([]domain.Event, len(recorded))
	for i := range recorded {
		ev, err := domain.DecodeRecorded(recorded[i])
		if err != nil {
			return domain.State{}, err
		}
		evs[i] = ev
	}
	return domain.Replay(evs), nil
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
