package domain

import "github.com/caseledger/caseledger/domain/workday"

// Outcome is how an item ended. Decisions use the first three; a bundle's
// completion also reports items withdrawn or never reachable because a
// dependency was denied or withdrawn.
type Outcome string

const (
	Approved          Outcome = "approved"           // 办结(通过)
	ApprovedTolerance Outcome = "approved_tolerance" // 办结(容缺通过)
	Denied            Outcome = "denied"             // 办结(不通过)
	OutcomeWithdrawn  Outcome = "withdrawn"
	Unreachable       Outcome = "unreachable"
)

// Step is a processing step (环节) of GB/T 39046.
type Step string

const (
	StepHandle  Step = "承办"
	StepReview  Step = "审核"
	StepApprove Step = "批准"
)

// Action is what a step concluded.
type Action string

const (
	ActionPass   Action = "通过"
	ActionReturn Action = "退回"
	ActionOther  Action = "其他"
)

// SpecialKind is a special procedure (特别程序) other than extension; by
// 行政许可法 Art. 45 its time is not counted.
type SpecialKind string

const (
	SpecialInspection SpecialKind = "检验"
	SpecialTesting    SpecialKind = "检测"
	SpecialAppraisal  SpecialKind = "鉴定"
	SpecialHearing    SpecialKind = "听证"
	SpecialExpert     SpecialKind = "专家评审"
	SpecialSiteCheck  SpecialKind = "实地核查"
	SpecialOther      SpecialKind = "其他"
)

// ItemDispatched sends an item to its department (推送). Due is computed at
// dispatch from the item's legal limit, under CalendarVersion; the day of
// dispatch is not counted.
type ItemDispatched struct {
	EventMeta
	Item            string        `json:"item"`
	Department      string        `json:"department"`
	Limit           workday.Limit `json:"limit"`
	Due             workday.Date  `json:"due"`
	CalendarVersion string        `json:"calendar_version"`
}

// ItemAccepted is the department starting work (部门开始办理).
type ItemAccepted struct {
	EventMeta
	Item string `json:"item"`
}

// StepRecorded is one processing step with its action and opinion.
type StepRecorded struct {
	EventMeta
	Item    string `json:"item"`
	Step    Step   `json:"step"`
	Action  Action `json:"action"`
	Opinion string `json:"opinion"`
}

// ItemSuspended stops an item and its clock (挂起).
type ItemSuspended struct {
	EventMeta
	Item   string `json:"item"`
	Reason string `json:"reason"`
}

// ItemResumed restarts an item; Due is the due date moved by the pause.
type ItemResumed struct {
	EventMeta
	Item string       `json:"item"`
	Due  workday.Date `json:"due"`
}

// SpecialProcedureStarted starts a special procedure; the clock pauses.
type SpecialProcedureStarted struct {
	EventMeta
	Item   string      `json:"item"`
	Kind   SpecialKind `json:"kind"`
	Reason string      `json:"reason"`
}

// SpecialProcedureEnded ends it with its result; Due is moved by the pause.
type SpecialProcedureEnded struct {
	EventMeta
	Item   string       `json:"item"`
	Result string       `json:"result"`
	Due    workday.Date `json:"due"`
}

// DeadlineExtended is 延长审批 (special procedure kind 1), approved under
// ApprovalRef, within the item's legal maximum.
type DeadlineExtended struct {
	EventMeta
	Item        string        `json:"item"`
	By          workday.Limit `json:"by"`
	ApprovalRef string        `json:"approval_ref"`
	Reason      string        `json:"reason"`
	Due         workday.Date  `json:"due"`
}

// ItemDecided concludes an item (办结). The dispatches it makes possible and
// the bundle's completion follow it in the same decision.
type ItemDecided struct {
	EventMeta
	Item       string  `json:"item"`
	Outcome    Outcome `json:"outcome"`
	LegalBasis string  `json:"legal_basis,omitempty"`
	Opinion    string  `json:"opinion"`
}

// Certificate is a result document; electronic ones have the same legal
// force as paper (国务院令第716号).
type Certificate struct {
	Name        string       `json:"name"`
	Number      string       `json:"number"`
	ECertRef    string       `json:"ecert_ref,omitempty"`
	IssuingUnit string       `json:"issuing_unit"`
	ValidFrom   workday.Date `json:"valid_from"`
	ValidUntil  workday.Date `json:"valid_until,omitzero"`
}

// CertificateIssued records the certificate of an approved item.
type CertificateIssued struct {
	EventMeta
	Item        string      `json:"item"`
	Certificate Certificate `json:"certificate"`
}

func (*ItemDispatched) Type() string          { return "ItemDispatched" }
func (*ItemAccepted) Type() string            { return "ItemAccepted" }
func (*StepRecorded) Type() string            { return "StepRecorded" }
func (*ItemSuspended) Type() string           { return "ItemSuspended" }
func (*ItemResumed) Type() string             { return "ItemResumed" }
func (*SpecialProcedureStarted) Type() string { return "SpecialProcedureStarted" }
func (*SpecialProcedureEnded) Type() string   { return "SpecialProcedureEnded" }
func (*DeadlineExtended) Type() string        { return "DeadlineExtended" }
func (*ItemDecided) Type() string             { return "ItemDecided" }
func (*CertificateIssued) Type() string       { return "CertificateIssued" }
