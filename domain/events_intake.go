package domain

import (
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// Channel is how an application came in.
type Channel string

const (
	ChannelWindow Channel = "window"
	ChannelWeb    Channel = "web"
	ChannelMobile Channel = "mobile"
	ChannelPost   Channel = "post"
)

// CaseSubmitted opens a case (已接件). Bundle is a snapshot of the catalogue
// entry at submission: evolve and decide read only this copy, so a later
// catalogue change never alters a submitted case.
type CaseSubmitted struct {
	EventMeta
	CatalogueVersion string           `json:"catalogue_version"`
	Bundle           catalogue.Bundle `json:"bundle"`
	Channel          Channel          `json:"channel"`
	Applicant        Subject          `json:"applicant"`
	Agent            *Subject         `json:"agent,omitempty"`
	Region           string           `json:"region"`
	Provided         []string         `json:"provided"`
}

// CasePrechecked is the automatic pre-check that follows every submission:
// which applicant-supplied materials are missing. Shared materials are
// pulled by data sharing and never missing.
type CasePrechecked struct {
	EventMeta
	MissingKey   []string `json:"missing_key"`
	MissingMinor []string `json:"missing_minor"`
}

// CaseRefused is 不予受理 at intake, with the notice given to the applicant.
type CaseRefused struct {
	EventMeta
	Reason       string `json:"reason"`
	LegalBasis   string `json:"legal_basis"`
	NoticeNumber string `json:"notice_number"`
}

// SupplementRequested is the one-time complete notice (一次性告知,
// 行政许可法 Art. 32) of every missing material. The clocks of running
// items stop until SupplementReceived.
type SupplementRequested struct {
	EventMeta
	Missing      []string `json:"missing"`
	NoticeNumber string   `json:"notice_number"`
}

// SupplementReceived records materials supplied after the notice. Due holds
// the new due dates of items whose clocks restart.
type SupplementReceived struct {
	EventMeta
	Materials []string  `json:"materials"`
	Due       []ItemDue `json:"due,omitempty"`
}

// ItemDue is an item's due date (承诺办结时间) as computed at the time.
type ItemDue struct {
	Item string       `json:"item"`
	Due  workday.Date `json:"due"`
}

// Tolerance is the 容缺受理 part of an acceptance: the applicant signed a
// commitment to supply the missing minor materials by DueBy.
type Tolerance struct {
	Missing       []string     `json:"missing"`
	DueBy         workday.Date `json:"due_by"`
	CommitmentRef string       `json:"commitment_ref"`
	CreditCheck   string       `json:"credit_check_ref"`
}

// CaseAccepted is 受理. It records the calendar version the promised date
// was computed under, so a replay reproduces the deadline that applied.
// The dispatches that acceptance makes possible follow it in the same
// decision as ItemDispatched events.
type CaseAccepted struct {
	EventMeta
	AcceptanceNumber string       `json:"acceptance_number"`
	CalendarVersion  string       `json:"calendar_version"`
	AcceptedOn       workday.Date `json:"accepted_on"`
	// FromReceipt: no supplement notice came within NoticeWindow, so the
	// acceptance counts from receipt (AcceptedOn is the submission date).
	FromReceipt bool         `json:"from_receipt,omitempty"`
	PromisedDue workday.Date `json:"promised_due"`
	Tolerance   *Tolerance   `json:"tolerance,omitempty"`
}

// ToleranceMaterialsReceived records minor materials supplied after a
// tolerant acceptance.
type ToleranceMaterialsReceived struct {
	EventMeta
	Materials []string `json:"materials"`
}

// CaseWithdrawn is the applicant's withdrawal of the whole case (撤件).
type CaseWithdrawn struct {
	EventMeta
	Reason string `json:"reason"`
}

// ItemsWithdrawn is the applicant's withdrawal of items not yet started.
type ItemsWithdrawn struct {
	EventMeta
	Items  []string `json:"items"`
	Reason string   `json:"reason"`
}

// CaseTerminated ends a case by authority (终止), for example when the
// materials promised under 容缺受理 never came.
type CaseTerminated struct {
	EventMeta
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
}

// ItemOutcome is how one item ended when the bundle completed.
type ItemOutcome struct {
	Item    string  `json:"item"`
	Outcome Outcome `json:"outcome"`
}

// BundleCompleted is 办结 of the bundle, appended automatically in the
// decision that settles the last item.
type BundleCompleted struct {
	EventMeta
	Outcomes []ItemOutcome `json:"outcomes"`
}

// DeliveryMethod is how results reach the applicant.
type DeliveryMethod string

const (
	DeliverPickup DeliveryMethod = "pickup"
	DeliverPost   DeliveryMethod = "post"
	DeliverECert  DeliveryMethod = "ecert_push"
)

// ResultsDelivered records the delivery of the certificates of Items.
type ResultsDelivered struct {
	EventMeta
	Method         DeliveryMethod `json:"method"`
	TrackingNumber string         `json:"tracking_number,omitempty"`
	Items          []string       `json:"items"`
}

func (*CaseSubmitted) Type() string              { return "CaseSubmitted" }
func (*CasePrechecked) Type() string             { return "CasePrechecked" }
func (*CaseRefused) Type() string                { return "CaseRefused" }
func (*SupplementRequested) Type() string        { return "SupplementRequested" }
func (*SupplementReceived) Type() string         { return "SupplementReceived" }
func (*CaseAccepted) Type() string               { return "CaseAccepted" }
func (*ToleranceMaterialsReceived) Type() string { return "ToleranceMaterialsReceived" }
func (*CaseWithdrawn) Type() string              { return "CaseWithdrawn" }
func (*ItemsWithdrawn) Type() string             { return "ItemsWithdrawn" }
func (*CaseTerminated) Type() string             { return "CaseTerminated" }
func (*BundleCompleted) Type() string            { return "BundleCompleted" }
func (*ResultsDelivered) Type() string           { return "ResultsDelivered" }
