package http

import (
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
)

// followUpRoutes are the commands after intake: tolerance, partial
// withdrawal, termination, special procedures, the handling of a bad rating,
// complaint answers, 督办 and corrections.
func (s *Server) followUpRoutes(v1 *echo.Group) {
	v1.POST("/cases/:id/tolerance-materials", command(s, mapToleranceMaterials), allow(RoleWindow))
	v1.POST("/cases/:id/withdraw-items", command(s, mapWithdrawItems), allow(RoleApplicant))
	v1.POST("/cases/:id/terminate", command(s, mapTerminate), allow(RoleWindow, RoleSupervisor))
	v1.POST("/cases/:id/items/:item/special-procedure", command(s, mapStartSpecial), allow(RoleDepartment))
	v1.POST("/cases/:id/items/:item/special-procedure/end", command(s, mapEndSpecial), allow(RoleDepartment))

	rating := v1.Group("/cases/:id/rating") // no group middleware: see routes
	rating.POST("/callback", command(s, mapCallBack), allow(RoleSupervisor, RoleDepartment))
	rating.POST("/triage", command(s, mapTriage), allow(RoleSupervisor))
	rating.POST("/rectification", command(s, mapRectification), allow(RoleDepartment))
	rating.POST("/appeal", command(s, mapAppeal), allow(RoleDepartment))
	rating.POST("/appeal-decision", command(s, mapDecideAppeal), allow(RoleSupervisor))
	rating.POST("/sign-off", command(s, mapSignOff), allow(RoleSupervisor))

	v1.POST("/cases/:id/complaints/:complaint/answer", command(s, mapAnswerComplaint), allow(RoleSupervisor, RoleDepartment))
	v1.POST("/cases/:id/dubans", command(s, mapIssueDuban), allow(RoleSupervisor))
	v1.POST("/cases/:id/dubans/:duban/close", command(s, mapCloseDuban), allow(RoleSupervisor))
	v1.POST("/cases/:id/corrections", command(s, mapCorrect), allow(RoleWindow, RoleDepartment, RoleSupervisor))
}

func mapToleranceMaterials(_ echo.Context, r *materialsRequest) (*domain.SupplyToleranceMaterials, *domain.CommandMeta, error) {
	cmd := &domain.SupplyToleranceMaterials{Materials: r.Materials}
	return cmd, &cmd.CommandMeta, nil
}

type withdrawItemsRequest struct {
	Items  []string `json:"items"`
	Reason string   `json:"reason"`
}

func mapWithdrawItems(_ echo.Context, r *withdrawItemsRequest) (*domain.WithdrawItems, *domain.CommandMeta, error) {
	cmd := &domain.WithdrawItems{Items: r.Items, Reason: r.Reason}
	return cmd, &cmd.CommandMeta, nil
}

type terminateRequest struct {
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
}

func mapTerminate(_ echo.Context, r *terminateRequest) (*domain.TerminateCase, *domain.CommandMeta, error) {
	cmd := &domain.TerminateCase{Reason: r.Reason, LegalBasis: r.LegalBasis}
	return cmd, &cmd.CommandMeta, nil
}

type specialRequest struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

func mapStartSpecial(c echo.Context, r *specialRequest) (*domain.StartSpecialProcedure, *domain.CommandMeta, error) {
	cmd := &domain.StartSpecialProcedure{Item: c.Param("item"), Kind: domain.SpecialKind(r.Kind), Reason: r.Reason}
	return cmd, &cmd.CommandMeta, nil
}

type resultRequest struct {
	Result string `json:"result"`
}

func mapEndSpecial(c echo.Context, r *resultRequest) (*domain.EndSpecialProcedure, *domain.CommandMeta, error) {
	cmd := &domain.EndSpecialProcedure{Item: c.Param("item"), Result: r.Result}
	return cmd, &cmd.CommandMeta, nil
}

type notesRequest struct {
	Notes string `json:"notes"`
}

func mapCallBack(_ echo.Context, r *notesRequest) (*domain.CallBackRating, *domain.CommandMeta, error) {
	cmd := &domain.CallBackRating{Notes: r.Notes}
	return cmd, &cmd.CommandMeta, nil
}

type triageRequest struct {
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
}

func mapTriage(_ echo.Context, r *triageRequest) (*domain.TriageRating, *domain.CommandMeta, error) {
	cmd := &domain.TriageRating{Verdict: domain.Verdict(r.Verdict), Reason: r.Reason}
	return cmd, &cmd.CommandMeta, nil
}

type summaryRequest struct {
	Summary string `json:"summary"`
}

func mapRectification(_ echo.Context, r *summaryRequest) (*domain.ReportRectification, *domain.CommandMeta, error) {
	cmd := &domain.ReportRectification{Summary: r.Summary}
	return cmd, &cmd.CommandMeta, nil
}

type appealRequest struct {
	Grounds string `json:"grounds"`
}

func mapAppeal(_ echo.Context, r *appealRequest) (*domain.AppealRating, *domain.CommandMeta, error) {
	cmd := &domain.AppealRating{Grounds: r.Grounds}
	return cmd, &cmd.CommandMeta, nil
}

type appealDecisionRequest struct {
	Upheld *bool  `json:"upheld"`
	Reason string `json:"reason"`
}

func mapDecideAppeal(_ echo.Context, r *appealDecisionRequest) (*domain.DecideAppeal, *domain.CommandMeta, error) {
	if r.Upheld == nil {
		return nil, nil, invalidField("upheld", "is required: true or false")
	}
	cmd := &domain.DecideAppeal{Upheld: *r.Upheld, Reason: r.Reason}
	return cmd, &cmd.CommandMeta, nil
}

func mapSignOff(_ echo.Context, r *notesRequest) (*domain.SignOffRating, *domain.CommandMeta, error) {
	cmd := &domain.SignOffRating{Notes: r.Notes}
	return cmd, &cmd.CommandMeta, nil
}

type answerRequest struct {
	Answer string `json:"answer"`
}

func mapAnswerComplaint(c echo.Context, r *answerRequest) (*domain.AnswerComplaint, *domain.CommandMeta, error) {
	id, err := parseUUID("complaint", c.Param("complaint"))
	if err != nil {
		return nil, nil, err
	}
	cmd := &domain.AnswerComplaint{ComplaintID: id.String(), Answer: r.Answer}
	return cmd, &cmd.CommandMeta, nil
}

type dubanRequest struct {
	Item      string `json:"item"`
	Reason    string `json:"reason"`
	Reference string `json:"reference"`
}

func mapIssueDuban(_ echo.Context, r *dubanRequest) (*domain.IssueDuban, *domain.CommandMeta, error) {
	cmd := &domain.IssueDuban{Item: r.Item, Reason: r.Reason, Reference: r.Reference}
	return cmd, &cmd.CommandMeta, nil
}

func mapCloseDuban(c echo.Context, r *resultRequest) (*domain.CloseDuban, *domain.CommandMeta, error) {
	id, err := parseUUID("duban", c.Param("duban"))
	if err != nil {
		return nil, nil, err
	}
	cmd := &domain.CloseDuban{DubanID: id.String(), Result: r.Result}
	return cmd, &cmd.CommandMeta, nil
}

type correctionRequest struct {
	EventID    string `json:"event_id"`
	Field      string `json:"field"`
	Correction string `json:"correction"`
	Reason     string `json:"reason"`
}

func mapCorrect(_ echo.Context, r *correctionRequest) (*domain.CorrectEvent, *domain.CommandMeta, error) {
	id, err := uuid.Parse(r.EventID)
	if err != nil {
		return nil, nil, invalidField("event_id", "must be the UUID of an event of this case")
	}
	cmd := &domain.CorrectEvent{EventID: id, Field: r.Field, Correction: r.Correction, Reason: r.Reason}
	return cmd, &cmd.CommandMeta, nil
}
