package domain

import "github.com/google/uuid"

// RateCase is the applicant's 好差评 of the case.
type RateCase struct {
	CommandMeta
	Label      RatingLabel
	ReasonTags []string
	Channel    Channel
}

// CallBackRating records the callback of a bad rating.
type CallBackRating struct {
	CommandMeta
	Notes string
}

// TriageRating gives the verdict on a bad rating.
type TriageRating struct {
	CommandMeta
	Verdict Verdict
	Reason  string
}

// ReportRectification is the rated department's report.
type ReportRectification struct {
	CommandMeta
	Summary string
}

// SignOffRating closes the handling of a bad rating.
type SignOffRating struct {
	CommandMeta
	Notes string
}

// AppealRating appeals a rating triaged as malicious.
type AppealRating struct {
	CommandMeta
	Grounds string
}

// DecideAppeal rules on the appeal.
type DecideAppeal struct {
	CommandMeta
	Upheld bool
	Reason string
}

// FileComplaint complains against a department, or one step of an item.
type FileComplaint struct {
	CommandMeta
	Department string
	Item       string
	Step       Step
	Summary    string
}

// AnswerComplaint answers an open complaint.
type AnswerComplaint struct {
	CommandMeta
	ComplaintID string
	Answer      string
}

// RaiseWarning is sent by the deadline watcher when an item crosses a
// threshold.
type RaiseWarning struct {
	CommandMeta
	Item  string
	Level WarningLevel
}

// IssueDuban is a supervisor's 督办, on the case (Item empty) or one item.
type IssueDuban struct {
	CommandMeta
	Item      string
	Reason    string
	Reference string
}

// CloseDuban closes an open 督办.
type CloseDuban struct {
	CommandMeta
	DubanID string
	Result  string
}

// CorrectEvent records that an event of the case was recorded in error.
type CorrectEvent struct {
	CommandMeta
	EventID    uuid.UUID
	Field      string
	Correction string
	Reason     string
}
