package http

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/decider"
)

// idempotencyNamespace roots the command and case IDs derived from
// Idempotency-Key headers. Changing it would make retries after an upgrade
// record twice.
var idempotencyNamespace = uuid.MustParse("5d0c3f7a-2b1e-5c4d-8e9f-1a2b3c4d5e6f")

// caseLoop is the load-decide-save loop over the domain's case Decider.
func (s *Server) caseLoop() *decider.Loop[domain.State, domain.Event] {
	return &decider.Loop[domain.State, domain.Event]{
		Store: s.store,
		// The loop owns its state (it folds from zero and keeps no earlier
		// copy), so folding in place is safe and spares Evolve's copy of
		// the bookkeeping maps per event.
		Evolve: func(st domain.State, ev domain.Event) domain.State {
			st.Apply(ev)
			return st
		},
		Decode: func(r *eventstore.RecordedEvent) (domain.Event, error) { return domain.DecodeRecorded(*r) },
		Encode: domain.EventData,
	}
}

// env is what decisions depend on besides the case: the catalogue, the
// working-day calendar and the local policy.
func (s *Server) env() domain.Env {
	return domain.Env{Catalogue: s.catalogueInForce(), Calendar: workday.Default(), Policy: domain.DefaultPolicy()}
}

// commandResponse is the answer to every command: where the case stands
// after it, usable as the If-Match of the next command (version) and as the
// minimum position of a following query (position).
type commandResponse struct {
	CaseID   string         `json:"case_id"`
	Version  uint64         `json:"version"`
	Position uint64         `json:"position"`
	Replayed bool           `json:"replayed"`
	Events   []eventSummary `json:"events"`
}

// eventSummary names one recorded event. The ID of a complaint or a 督办
// is the ID of the event that opened it.
type eventSummary struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Version uint64 `json:"version"`
}

// commandID is the command's ID: derived from the Idempotency-Key, scoped
// to the caller so two clients' keys never collide, or random without one.
func commandID(c echo.Context) (string, error) {
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		return uuid.NewString(), nil
	}
	if len(key) > 255 || strings.ContainsFunc(key, func(r rune) bool { return r < '!' || r > '~' }) {
		return "", invalidField("Idempotency-Key", "must be 1 to 255 printable ASCII characters without spaces")
	}
	return uuid.NewSHA1(idempotencyNamespace, []byte(principal(c).Subject+"\x00"+key)).String(), nil
}

// ifMatch reads the If-Match header: the case version the client decided
// on, bare or as an entity tag ("3", W/"3").
func ifMatch(c echo.Context) (version uint64, set bool, err error) {
	h := c.Request().Header.Get("If-Match")
	if h == "" {
		return 0, false, nil
	}
	v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, invalidField("If-Match", "must be a case version such as \"3\"")
	}
	return n, true, nil
}

// runCommand decides cmd on case caseID and answers with the outcome.
// status is the answer's status (201 for a new case, 200 otherwise).
func (s *Server) runCommand(c echo.Context, caseID string, cmd domain.Command, meta *domain.CommandMeta, status int) error {
	p := principal(c)
	actor, ok := p.actor()
	if !ok {
		return domain.Errorf(domain.CodeForbidden, "the %s role does not act on cases", p.Role)
	}
	id, err := commandID(c)
	if err != nil {
		return err
	}
	expect, check, err := ifMatch(c)
	if err != nil {
		return err
	}
	*meta = domain.CommandMeta{ID: id, CaseID: caseID, Actor: actor, At: s.cfg.Now()}
	env := s.env()
	res, err := s.runCase(c.Request().Context(), decider.Command[domain.State, domain.Event]{
		Stream:  caseStream(caseID),
		EventID: func(i int) uuid.UUID { return domain.EventID(caseID, id, i) },
		Decide: func(st domain.State, head decider.Head) ([]domain.Event, error) {
			if head.Exists && !visible(p, ownersOf(&st)) {
				return nil, domain.Errorf(domain.CodeNotFound, "no such case")
			}
			// A missing case is the domain's 404, not a stale version.
			if check && head.Exists && head.Version != expect {
				return nil, &staleError{current: head.Version}
			}
			return domain.Decide(st, cmd, env)
		},
	})
	if err != nil {
		return err
	}
	out := commandResponse{CaseID: caseID, Version: res.Head.Version, Position: res.Head.Position, Replayed: res.Replayed,
		Events: make([]eventSummary, len(res.Events))}
	for i, e := range res.Events {
		out.Events[i] = eventSummary{ID: e.ID.String(), Type: e.Type, Version: e.Version}
	}
	c.Response().Header().Set("ETag", `"`+uintString(out.Version)+`"`)
	if status == http.StatusCreated {
		c.Response().Header().Set(echo.HeaderLocation, "/v1/cases/"+caseID)
	}
	return writeJSON(c, status, out)
}

// visible reports whether p may know that the case exists. Those who may
// not get 404, never 403, so case IDs cannot be probed. Whether p may also
// act is the domain's decision (rules C1 to C4).
func visible(p Principal, o *owners) bool {
	switch p.Role {
	case RoleApplicant:
		ref := domain.SubjectRef(p.Subject)
		return o.applicant == ref || (o.agent != "" && o.agent == ref)
	case RoleWindow, RoleSupervisor:
		return inRegion(p.Region, o.region)
	case RoleDepartment:
		return slices.Contains(o.departments, p.Unit) && inRegion(p.Region, o.region)
	case RoleAdmin:
		return true
	}
	return false
}

// checkVisible refuses, as a missing case, a case p may not know exists.
// Everything visible reads is set by the submission, version 0, and never
// changes, so one event decides, and its answer is remembered (s.owners);
// the read models do not keep the applicant's references.
func (s *Server) checkVisible(ctx context.Context, p Principal, caseID string) error {
	o, err := s.caseOwners(ctx, caseID)
	if err != nil {
		return err
	}
	if !visible(p, o) {
		return domain.Errorf(domain.CodeNotFound, "no such case")
	}
	return nil
}

// caseOwners returns a case's owners, from s.owners or its first event.
func (s *Server) caseOwners(ctx context.Context, caseID string) (*owners, error) {
	if o, ok := s.owners.get(caseID); ok {
		return o, nil
	}
	submission, err := s.store.ReadStream(ctx, caseStream(caseID), eventstore.ReadStreamOptions{Limit: 1})
	if err != nil {
		return nil, err
	}
	return s.ownersOf(submission)
}

// checkSubmission is checkVisible's decision on the case's first event,
// already read.
func (s *Server) checkSubmission(p Principal, submission []eventstore.RecordedEvent) error {
	o, err := s.ownersOf(submission)
	if err != nil {
		return err
	}
	if !visible(p, o) {
		return domain.Errorf(domain.CodeNotFound, "no such case")
	}
	return nil
}

// ownersOf folds a case's first event into its owners and remembers them.
func (s *Server) ownersOf(submission []eventstore.RecordedEvent) (*owners, error) {
	st, err := fold(submission)
	if err != nil {
		return nil, err
	}
	o := ownersOf(&st)
	// Keyed by the stream's name, which checkVisible looks up by.
	s.owners.put(strings.TrimPrefix(submission[0].Stream, "case-"), o)
	return o, nil
}

// actor is the principal as domain events record it. Analysts and admins
// have no domain role: they never act on cases.
func (p Principal) actor() (domain.Actor, bool) {
	roles := map[Role]domain.Role{
		RoleApplicant:  domain.RoleApplicant,
		RoleWindow:     domain.RoleWindow,
		RoleDepartment: domain.RoleDepartment,
		RoleSupervisor: domain.RoleSupervisor,
	}
	r, ok := roles[p.Role]
	return domain.Actor{Role: r, PersonID: p.Subject, Unit: p.Unit, Region: p.Region}, ok
}

// caseParam reads the canonical case ID of the route.
func caseParam(c echo.Context) (string, error) {
	id, err := parseUUID("id", c.Param("id"))
	return id.String(), err
}
