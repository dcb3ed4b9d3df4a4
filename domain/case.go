// Package domain is caseledger's case lifecycle as a pure Decider: Decide
// turns a command and the case's state into events or a *Error, Evolve folds
// one event into the state. Neither does I/O or reads a clock: time, IDs,
// the calendar and the catalogue come in as values (CommandMeta, Env), so a
// replay years later reaches the same decisions. Evolve never fails and never
// validates, because history is fact.
//
// # Invariants
//
// Decide refuses a command that would break one of these rules with a
// *Error whose Rule names it: CodeForbidden for C1 to C4, CodeNotFound for
// a command on a case never submitted, CodeConflict for the rest. Input
// that is malformed whatever the state (an empty reason, an unknown enum
// value) gets CodeInvalid; an unknown item, complaint or 督办 CodeNotFound.
//
//	C1  A department officer acts only on items of their own department.
//	C2  Window officers act on intake (submission, refusal, supplement,
//	    acceptance, delivery) and supervisors supervise, each only on
//	    cases of their region.
//	C3  Applicants act only on their own case (as applicant or agent).
//	C4  Each command may be given only by the roles usecases.go lists.
//	C5  A case is submitted once and taken in (accepted or refused) once;
//	    every other command needs a submitted case.
//	C6  Nothing is decided on items before the case is accepted.
//	C7  A refused, withdrawn or terminated case takes only complaints and
//	    their answers, the rating of a refusal and its handling, corrections
//	    and the closing of 督办; a completed case takes only follow-up
//	    (certificates, late tolerance materials, delivery, rating,
//	    complaints, 督办, corrections).
//	C8  No item is dispatched before its dependencies concluded with an
//	    approval; a serial (串联) bundle runs one item at a time. Dispatch
//	    is automatic: acceptance and each conclusion append the dispatches
//	    they make possible, and the completion when every item is settled.
//	C9  No action on a concluded or withdrawn item.
//	C10 One supplement notice per case. At intake the window lists every
//	    material then missing, at once (一次性告知), within NoticeWindow
//	    working days of receipt (later, the application counts as accepted
//	    from receipt, 行政许可法 Art. 32); after acceptance a
//	    department with a running item may issue it instead (补正), and the
//	    clocks of running items stop until the supplement is received.
//	    Supplements are received only while the notice is open, and only
//	    materials it asked for.
//	C11 Acceptance needs every key material; plain acceptance needs every
//	    material. With tolerance (容缺受理) only minor materials may be
//	    missing, at least one, with a signed commitment due after acceptance
//	    and no later than the promised date, and never for an applicant on a
//	    dishonesty list.
//	C12 A department accepts a dispatched item once; steps, pauses,
//	    extensions and decisions need the item accepted by its department.
//	C13 One pause at a time: a suspended item, one in a special procedure or
//	    one awaiting a supplement takes no step, pause, extension or
//	    decision until it resumes; resume only what is suspended, end only
//	    an open special procedure.
//	C14 An extension (延长审批, with its approval reference) is in the unit
//	    of the item's maximum, and all extensions together stay within it;
//	    an item without a maximum is not extended.
//	C15 Approval with tolerance only in a case accepted with tolerance; a
//	    denial states its legal basis.
//	C16 A certificate only for an approved item, once.
//	C17 Delivery only after the bundle completed, of items with a
//	    certificate; post needs a tracking number.
//	C18 The applicant withdraws the whole case before it completes, or items
//	    not yet started (not accepted by their department).
//	C19 One rating per case, by the applicant, only after completion or
//	    refusal. (The two bad labels need reason tags: CodeInvalid.)
//	C20 Bad-rating handling only for a bad rating, in order: callback,
//	    triage, then rectification report and sign-off (founded or
//	    reasonable), or appeal, appeal decision and sign-off (malicious).
//	C21 A complaint targets a department of the case (and a step of one of
//	    its items); it is answered once, by a supervisor or that department.
//	C22 The watcher warns once per item and level, only on a running item,
//	    yellow only when the warning policy says so, overdue only after the
//	    due date.
//	C23 A 督办 is closed once, and only an open one.
//	C24 A correction references an event of this case.
//	C25 Tolerance lapses only after its due date while materials are still
//	    missing; tolerance materials are received only while missing.
//
// A retried command (same command ID) decides nothing: the state keeps the
// IDs of processed commands, and EventID derives event IDs from the command
// ID so the event store's idempotency catches retries across processes.
//
// # Snapshots
//
// CaseSubmitted carries a copy of the bundle's catalogue entry (items,
// dependencies, limits, materials) and the catalogue version; decisions read
// only that copy. CaseAccepted and ItemDispatched record the calendar
// version and the due dates computed under it; later due dates (after a
// pause or an extension) are computed when decided and recorded in their
// events, so Evolve needs no calendar and a replay shows the dates that
// applied at the time.
//
// # Personal data
//
// Events name people only by opaque references (SubjectRef, Actor.PersonID)
// and masked display values; a SubmitCase whose display values are not
// masked is refused. Clear data belongs to the vault of a later issue (see SubjectRef).
// Free-text fields (reasons, opinions, notes) are the officers' words and
// must not carry personal data; nothing here can check that.
//
// # Schema evolution
//
// Every event type has a schema version, written in the metadata by Encode;
// Decode upcasts older versions on raw JSON (registry.go). CaseRated is at
// version 2.
package domain

import (
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// Status is where a case stands.
type Status string

const (
	StatusNone       Status = ""
	StatusSubmitted  Status = "submitted" // 已接件 (待补全 while a notice is open)
	StatusAccepted   Status = "accepted"  // 已受理
	StatusRefused    Status = "refused"   // 不予受理
	StatusCompleted  Status = "completed" // 已办结
	StatusWithdrawn  Status = "withdrawn" // 已撤件
	StatusTerminated Status = "terminated"
)

// ItemStatus is where an item stands.
type ItemStatus string

const (
	ItemWaiting    ItemStatus = "waiting"     // not dispatched yet
	ItemSent       ItemStatus = "dispatched"  // sent, not accepted by the department
	ItemInProgress ItemStatus = "in_progress" // 部门开始办理
	ItemConcluded  ItemStatus = "concluded"   // 办结; see Outcome
	ItemWithdrawn  ItemStatus = "withdrawn"
)

// State is a case folded from its events. Build it with Replay, Evolve or
// Apply; treat it as a value (Evolve returns a new State and never changes
// the one it is given; Apply is for the one owner of a State).
type State struct {
	CaseID           string
	Version          int // number of events folded
	Status           Status
	CatalogueVersion string
	Bundle           catalogue.Bundle
	Channel          Channel
	Applicant        Subject
	Agent            *Subject
	Region           string
	SubmittedAt      workday.Date
	Provided         []string
	MissingKey       []string
	MissingMinor     []string
	Supplement       Supplement
	Acceptance       Acceptance
	Items            []ItemState
	Delivered        []string
	Rating           Rating
	Complaints       []Complaint
	Dubans           []Duban
	Corrections      []EventCorrected
	// Processed holds the IDs of commands already decided (idempotency).
	Processed map[string]bool
	// Events maps the IDs of the case's events to their types (C24).
	Events map[uuid.UUID]string

	// order holds the positions in Bundle.Items of the bundle's items in
	// dependency order (catalogue.Bundle.Order), which every dispatch and
	// completion check walks. It is derived when CaseSubmitted is folded,
	// so a replay derives the same, and it is never part of an event.
	order []int
}

// Supplement is the state of the one-time supplement notice.
type Supplement struct {
	Requested    bool
	Open         bool
	NoticeNumber string
	Missing      []string
	RequestedOn  workday.Date
}

// Acceptance is what 受理 recorded.
type Acceptance struct {
	Number          string
	On              workday.Date
	PromisedDue     workday.Date
	CalendarVersion string
	Tolerance       *Tolerance
}

// ItemState is one item of the case.
type ItemState struct {
	Code            string
	Department      string
	Status          ItemStatus
	Outcome         Outcome
	DispatchedOn    workday.Date
	Limit           workday.Limit
	Extension       workday.Limit
	Due             workday.Date
	CalendarVersion string
	// Pauses are the stopped stretches of the item's clock; the last one is
	// open while Suspended, Special or a supplement is pending.
	Pauses    []workday.Pause
	Suspended bool
	Special   SpecialKind
	// AwaitingSupplement: the open pause is the case's supplement notice.
	AwaitingSupplement bool
	Steps              []StepRecord
	Certificate        *Certificate
	Warnings           []WarningLevel
}

// StepRecord is one processing step of an item.
type StepRecord struct {
	Step   Step
	Action Action
}

// Settled reports whether nothing more will happen to the item's decision.
func (it *ItemState) Settled() bool {
	return it.Status == ItemConcluded || it.Status == ItemWithdrawn
}

// Paused reports whether the item's clock is stopped.
func (it *ItemState) Paused() bool {
	return len(it.Pauses) > 0 && it.Pauses[len(it.Pauses)-1].Open()
}

// Item returns the item with the given code.
func (s *State) Item(code string) (*ItemState, bool) {
	for i := range s.Items {
		if s.Items[i].Code == code {
			return &s.Items[i], true
		}
	}
	return nil, false
}

// Closed reports whether the case ended without completing.
func (s *State) Closed() bool {
	switch s.Status {
	case StatusRefused, StatusWithdrawn, StatusTerminated:
		return true
	}
	return false
}
