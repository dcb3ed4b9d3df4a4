package domain

import (
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// RatingLabel is one of the five 好差评 levels, stored as its label because
// numeric codes run in opposite directions between vendors.
type RatingLabel string

const (
	VerySatisfied    RatingLabel = "非常满意"
	Satisfied        RatingLabel = "满意"
	FairlySatisfied  RatingLabel = "基本满意"
	Dissatisfied     RatingLabel = "不满意"
	VeryDissatisfied RatingLabel = "非常不满意"
)

// Verdict is the triage of a bad rating.
type Verdict string

const (
	VerdictTrue       Verdict = "true"       // 属实: the complaint is founded
	VerdictReasonable Verdict = "reasonable" // 合理: not proven, but fair
	VerdictMalicious  Verdict = "malicious"  // 恶意: may be appealed
)

// WarningLevel is a threshold of the deadline watcher.
type WarningLevel string

const (
	WarningYellow  WarningLevel = "yellow"  // before the due date
	WarningOverdue WarningLevel = "overdue" // red: past the due date
)

// CaseRated is the applicant's one rating of the case. Schema v2: v1
// stored a number (1 = 非常满意, GB/T 39046) and one free-text reason; v2
// stores the label and reason tags (see registry.go for the upcaster).
type CaseRated struct {
	EventMeta
	Label      RatingLabel `json:"label"`
	ReasonTags []string    `json:"reason_tags,omitempty"`
	Channel    Channel     `json:"channel"`
}

// RatingCalledBack records the callback every bad rating gets.
type RatingCalledBack struct {
	EventMeta
	Notes string `json:"notes"`
}

// RatingTriaged records the verdict on a bad rating. For a founded or
// reasonable rating RectifyBy is the rectification deadline, computed from
// the configured limit.
type RatingTriaged struct {
	EventMeta
	Verdict   Verdict      `json:"verdict"`
	Reason    string       `json:"reason"`
	RectifyBy workday.Date `json:"rectify_by,omitzero"`
}

// RectificationReported is the rated department's report of what it fixed.
type RectificationReported struct {
	EventMeta
	Summary string `json:"summary"`
}

// RatingSignedOff closes the handling of a bad rating.
type RatingSignedOff struct {
	EventMeta
	Notes string `json:"notes"`
}

// RatingAppealed is a department's appeal against a rating triaged as
// malicious.
type RatingAppealed struct {
	EventMeta
	Grounds string `json:"grounds"`
}

// AppealDecided rules on the appeal; an upheld appeal voids the rating for
// statistics (it stays in the history).
type AppealDecided struct {
	EventMeta
	Upheld bool   `json:"upheld"`
	Reason string `json:"reason"`
}

// ComplaintFiled is a complaint against a step or a department, answered
// by AnswerBy (a configured limit).
type ComplaintFiled struct {
	EventMeta
	ComplaintID string `json:"complaint_id"`
	Department  string `json:"department"`
	Item        string `json:"item,omitempty"`
	// Step is the processing step complained of, empty for the department
	// as a whole.
	Step     Step         `json:"step,omitempty"`
	Summary  string       `json:"summary"`
	AnswerBy workday.Date `json:"answer_by"`
}

// ComplaintAnswered closes a complaint.
type ComplaintAnswered struct {
	EventMeta
	ComplaintID string `json:"complaint_id"`
	Answer      string `json:"answer"`
}

// WarningRaised is appended by the deadline watcher, once per item and
// level.
type WarningRaised struct {
	EventMeta
	Item  string       `json:"item"`
	Level WarningLevel `json:"level"`
	Due   workday.Date `json:"due"`
	On    workday.Date `json:"on"`
}

// DubanIssued is a supervisor's 督办 on the case or one item.
type DubanIssued struct {
	EventMeta
	DubanID   string `json:"duban_id"`
	Item      string `json:"item,omitempty"`
	Reason    string `json:"reason"`
	Reference string `json:"reference"`
}

// DubanClosed closes a 督办 with its result.
type DubanClosed struct {
	EventMeta
	DubanID string `json:"duban_id"`
	Result  string `json:"result"`
}

// EventCorrected annotates an event recorded in error. The ledger is
// append-only, so the wrong event stays; this one references it by ID and
// states which field is wrong, its correct value and why. Corrections do not
// change the derived state: facts that change a case's course are recorded
// by their own commands.
type EventCorrected struct {
	EventMeta
	Corrects   uuid.UUID `json:"corrects"`
	Field      string    `json:"field"`
	Correction string    `json:"correction"`
	Reason     string    `json:"reason"`
}

func (*CaseRated) Type() string             { return "CaseRated" }
func (*RatingCalledBack) Type() string      { return "RatingCalledBack" }
func (*RatingTriaged) Type() string         { return "RatingTriaged" }
func (*RectificationReported) Type() string { return "RectificationReported" }
func (*RatingSignedOff) Type() string       { return "RatingSignedOff" }
func (*RatingAppealed) Type() string        { return "RatingAppealed" }
func (*AppealDecided) Type() string         { return "AppealDecided" }
func (*ComplaintFiled) Type() string        { return "ComplaintFiled" }
func (*ComplaintAnswered) Type() string     { return "ComplaintAnswered" }
func (*WarningRaised) Type() string         { return "WarningRaised" }
func (*DubanIssued) Type() string           { return "DubanIssued" }
func (*DubanClosed) Type() string           { return "DubanClosed" }
func (*EventCorrected) Type() string        { return "EventCorrected" }
