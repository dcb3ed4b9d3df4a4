package domain

import "github.com/caseledger/caseledger/domain/workday"

// AcceptItem is the department starting work on a dispatched item.
type AcceptItem struct {
	CommandMeta
	Item string
}

// RecordStep records one processing step.
type RecordStep struct {
	CommandMeta
	Item    string
	Step    Step
	Action  Action
	Opinion string
}

// SuspendItem stops an item and its clock.
type SuspendItem struct {
	CommandMeta
	Item   string
	Reason string
}

// ResumeItem restarts a suspended item.
type ResumeItem struct {
	CommandMeta
	Item string
}

// StartSpecialProcedure starts a special procedure (the clock pauses).
type StartSpecialProcedure struct {
	CommandMeta
	Item   string
	Kind   SpecialKind
	Reason string
}

// EndSpecialProcedure ends the open special procedure with its result.
type EndSpecialProcedure struct {
	CommandMeta
	Item   string
	Result string
}

// ExtendDeadline is 延长审批 under an approval reference.
type ExtendDeadline struct {
	CommandMeta
	Item        string
	By          workday.Limit
	ApprovalRef string
	Reason      string
}

// DecideItem concludes an item.
type DecideItem struct {
	CommandMeta
	Item       string
	Outcome    Outcome
	LegalBasis string
	Opinion    string
}

// IssueCertificate records the certificate of an approved item.
type IssueCertificate struct {
	CommandMeta
	Item        string
	Certificate Certificate
}
