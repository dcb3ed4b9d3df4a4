package http

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
)

// caseRoutes are the case commands: one POST per domain command, each with
// its own request struct mapped by hand onto the domain command. The domain
// validates values and enforces who may do what (rules C1 to C4); the
// routes' role lists only keep roles that never may away from the decider.
func (s *Server) caseRoutes(v1 *echo.Group) {
	officers := allow(RoleWindow, RoleDepartment)
	v1.POST("/cases", s.submit, allow(RoleApplicant, RoleWindow))
	// Everyone but analysts (de-identified data only) may read a case
	// visible to them.
	readers := allow(RoleApplicant, RoleWindow, RoleDepartment, RoleSupervisor, RoleAdmin)
	v1.GET("/cases", s.listCases, allow(RoleApplicant, RoleWindow, RoleDepartment, RoleSupervisor))
	v1.GET("/cases/:id", s.getCase, readers)
	v1.GET("/cases/:id/live", s.live, readers)
	v1.GET("/cases/:id/timeline", s.timeline, readers)
	v1.GET("/cases/:id/diff", s.diff, readers)
	officials := allow(RoleWindow, RoleDepartment, RoleSupervisor, RoleAdmin)
	v1.GET("/items/overdue", s.overdueItems, officials)
	v1.GET("/items/warnings", s.warningItems, officials)
	v1.GET("/stats", s.stats, allow(RoleAnalyst, RoleSupervisor, RoleAdmin))
	v1.GET("/disputes", s.openDisputes, allow(RoleSupervisor, RoleAdmin))
	v1.GET("/disputes/:id", s.disputeDossier, allow(RoleSupervisor, RoleAdmin))
	v1.POST("/cases/:id/refuse", command(s, mapRefuse), allow(RoleWindow))
	v1.POST("/cases/:id/accept", command(s, mapAccept), allow(RoleWindow))
	v1.POST("/cases/:id/supplement-request", command(s, mapRequestSupplement), officers)
	v1.POST("/cases/:id/supplements", command(s, mapReceiveSupplement), officers)
	v1.POST("/cases/:id/withdraw", command(s, mapWithdraw), allow(RoleApplicant))
	v1.POST("/cases/:id/deliver", command(s, mapDeliver), allow(RoleWindow))
	v1.POST("/cases/:id/rating", command(s, mapRate), allow(RoleApplicant))
	v1.POST("/cases/:id/complaints", command(s, mapComplain), allow(RoleApplicant))

	s.followUpRoutes(v1)

	items, departments := "/cases/:id/items/:item", allow(RoleDepartment)
	v1.POST(items+"/accept", command(s, mapAcceptItem), departments)
	v1.POST(items+"/steps", command(s, mapStep), departments)
	v1.POST(items+"/suspend", command(s, mapSuspend), departments)
	v1.POST(items+"/resume", command(s, mapResume), departments)
	v1.POST(items+"/extend", command(s, mapExtend), departments)
	v1.POST(items+"/decide", command(s, mapDecide), departments)
	v1.POST(items+"/certificate", command(s, mapCertificate), departments)
}

// command adapts a request mapping into a handler: bind the body strictly,
// map it, run it on the case of the route.
func command[R any, C domain.Command](s *Server, build func(c echo.Context, req *R) (C, *domain.CommandMeta, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		caseID, err := caseParam(c)
		if err != nil {
			return err
		}
		var req R
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		cmd, meta, err := build(c, &req)
		if err != nil {
			return err
		}
		return s.runCommand(c, caseID, cmd, meta, http.StatusOK)
	}
}

type subjectRequest struct {
	Ref      string `json:"ref"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
}

// subject maps an applicant or agent, masking name and ID number at once:
// the clear values never reach the ledger or the logs.
func (r *subjectRequest) subject(field string, fe *fieldErrors) domain.Subject {
	kind := domain.SubjectKind(r.Kind)
	if kind == domain.Person && r.IDNumber != "" && !domain.ValidIDNumber(r.IDNumber) {
		fe.add(field+".id_number", "is not a valid 身份证号 (18 characters, ISO 7064 check)")
	}
	return domain.Subject{Ref: domain.SubjectRef(r.Ref), Kind: kind,
		MaskedName: domain.MaskName(r.Name), MaskedID: domain.MaskIDNumber(r.IDNumber)}
}

type submitRequest struct {
	BundleCode string          `json:"bundle_code"`
	Channel    string          `json:"channel"`
	Applicant  subjectRequest  `json:"applicant"`
	Agent      *subjectRequest `json:"agent"`
	Region     string          `json:"region"`
	Provided   []string        `json:"provided"`
}

// submit opens a case. Its ID is derived from the Idempotency-Key when
// there is one, so a retried submission finds the case it created.
func (s *Server) submit(c echo.Context) error {
	var req submitRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var fe fieldErrors
	cmd := &domain.SubmitCase{BundleCode: req.BundleCode, Channel: domain.Channel(req.Channel),
		Applicant: req.Applicant.subject("applicant", &fe), Region: req.Region, Provided: req.Provided}
	if req.Agent != nil {
		agent := req.Agent.subject("agent", &fe)
		cmd.Agent = &agent
	}
	if err := fe.err(); err != nil {
		return err
	}
	caseID := uuid.NewString()
	if key := c.Request().Header.Get("Idempotency-Key"); key != "" {
		caseID = uuid.NewSHA1(idempotencyNamespace, []byte("case\x00"+principal(c).Subject+"\x00"+key)).String()
	}
	return s.runCommand(c, caseID, cmd, &cmd.CommandMeta, http.StatusCreated)
}

type refuseRequest struct {
	Reason       string `json:"reason"`
	LegalBasis   string `json:"legal_basis"`
	NoticeNumber string `json:"notice_number"`
}

func mapRefuse(_ echo.Context, r *refuseRequest) (*domain.RefuseCase, *domain.CommandMeta, error) {
	cmd := &domain.RefuseCase{Reason: r.Reason, LegalBasis: r.LegalBasis, NoticeNumber: r.NoticeNumber}
	return cmd, &cmd.CommandMeta, nil
}

type acceptRequest struct {
	AcceptanceNumber string            `json:"acceptance_number"`
	Tolerance        *toleranceRequest `json:"tolerance"`
}

// toleranceRequest asks for 容缺受理 instead of plain acceptance.
type toleranceRequest struct {
	CommitmentRef string `json:"commitment_ref"`
	DueBy         string `json:"due_by"`
	CreditCheck   struct {
		Ref       string `json:"ref"`
		Dishonest bool   `json:"dishonest"`
	} `json:"credit_check"`
}

func mapAccept(_ echo.Context, r *acceptRequest) (domain.Command, *domain.CommandMeta, error) {
	if r.Tolerance == nil {
		cmd := &domain.AcceptCase{AcceptanceNumber: r.AcceptanceNumber}
		return cmd, &cmd.CommandMeta, nil
	}
	due, err := parseDate("tolerance.due_by", r.Tolerance.DueBy)
	if err != nil {
		return nil, nil, err
	}
	cmd := &domain.AcceptWithTolerance{AcceptanceNumber: r.AcceptanceNumber, CommitmentRef: r.Tolerance.CommitmentRef, DueBy: due,
		CreditCheck: domain.CreditCheck{Ref: r.Tolerance.CreditCheck.Ref, Dishonest: r.Tolerance.CreditCheck.Dishonest}}
	return cmd, &cmd.CommandMeta, nil
}

type supplementRequest struct {
	Missing      []string `json:"missing"`
	NoticeNumber string   `json:"notice_number"`
}

func mapRequestSupplement(_ echo.Context, r *supplementRequest) (*domain.RequestSupplement, *domain.CommandMeta, error) {
	cmd := &domain.RequestSupplement{Missing: r.Missing, NoticeNumber: r.NoticeNumber}
	return cmd, &cmd.CommandMeta, nil
}

type materialsRequest struct {
	Materials []string `json:"materials"`
}

func mapReceiveSupplement(_ echo.Context, r *materialsRequest) (*domain.ReceiveSupplement, *domain.CommandMeta, error) {
	cmd := &domain.ReceiveSupplement{Materials: r.Materials}
	return cmd, &cmd.CommandMeta, nil
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func mapWithdraw(_ echo.Context, r *reasonRequest) (*domain.WithdrawCase, *domain.CommandMeta, error) {
	cmd := &domain.WithdrawCase{Reason: r.Reason}
	return cmd, &cmd.CommandMeta, nil
}

type deliverRequest struct {
	Method         string   `json:"method"`
	TrackingNumber string   `json:"tracking_number"`
	Items          []string `json:"items"`
}

func mapDeliver(_ echo.Context, r *deliverRequest) (*domain.DeliverResults, *domain.CommandMeta, error) {
	cmd := &domain.DeliverResults{Method: domain.DeliveryMethod(r.Method), TrackingNumber: r.TrackingNumber, Items: r.Items}
	return cmd, &cmd.CommandMeta, nil
}

type rateRequest struct {
	Label      string   `json:"label"`
	ReasonTags []string `json:"reason_tags"`
	Channel    string   `json:"channel"`
}

func mapRate(_ echo.Context, r *rateRequest) (*domain.RateCase, *domain.CommandMeta, error) {
	cmd := &domain.RateCase{Label: domain.RatingLabel(r.Label), ReasonTags: r.ReasonTags, Channel: domain.Channel(r.Channel)}
	return cmd, &cmd.CommandMeta, nil
}

type complaintRequest struct {
	Department string `json:"department"`
	Item       string `json:"item"`
	Step       string `json:"step"`
	Summary    string `json:"summary"`
}

func mapComplain(_ echo.Context, r *complaintRequest) (*domain.FileComplaint, *domain.CommandMeta, error) {
	cmd := &domain.FileComplaint{Department: r.Department, Item: r.Item, Step: domain.Step(r.Step), Summary: r.Summary}
	return cmd, &cmd.CommandMeta, nil
}

// parseDate reads a civil date (YYYY-MM-DD) of the working-day calendar.
func parseDate(field, s string) (workday.Date, error) {
	d, err := workday.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return workday.Date{}, invalidField(field, "must be a date such as 2026-02-26")
	}
	return d, nil
}
