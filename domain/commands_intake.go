package domain

import "github.com/caseledger/caseledger/domain/workday"

// SubmitCase opens a case for a bundle of the catalogue. Provided lists the
// material codes the applicant brought.
type SubmitCase struct {
	CommandMeta
	BundleCode string
	Channel    Channel
	Applicant  Subject
	Agent      *Subject
	Region     string
	Provided   []string
}

// RefuseCase is 不予受理 by a window officer.
type RefuseCase struct {
	CommandMeta
	Reason       string
	LegalBasis   string
	NoticeNumber string
}

// RequestSupplement is the one-time notice of every missing material.
type RequestSupplement struct {
	CommandMeta
	Missing      []string
	NoticeNumber string
}

// ReceiveSupplement records materials supplied after the notice.
type ReceiveSupplement struct {
	CommandMeta
	Materials []string
}

// AcceptCase is 受理 with every material present.
type AcceptCase struct {
	CommandMeta
	AcceptanceNumber string
}

// CreditCheck is the result of the dishonesty-list lookup the window
// officer made; the decider records the reference and refuses tolerance to
// a listed applicant.
type CreditCheck struct {
	Ref       string
	Dishonest bool
}

// AcceptWithTolerance is 容缺受理: minor materials missing, a signed
// commitment to bring them by DueBy.
type AcceptWithTolerance struct {
	CommandMeta
	AcceptanceNumber string
	CommitmentRef    string
	DueBy            workday.Date
	CreditCheck      CreditCheck
}

// SupplyToleranceMaterials records minor materials brought after a
// tolerant acceptance.
type SupplyToleranceMaterials struct {
	CommandMeta
	Materials []string
}

// LapseTolerance ends a tolerant case whose materials did not come by the
// committed date (sent by the deadline watcher).
type LapseTolerance struct {
	CommandMeta
}

// WithdrawCase is the applicant's withdrawal of the whole case.
type WithdrawCase struct {
	CommandMeta
	Reason string
}

// WithdrawItems is the applicant's withdrawal of items not yet started.
type WithdrawItems struct {
	CommandMeta
	Items  []string
	Reason string
}

// TerminateCase ends a case by authority.
type TerminateCase struct {
	CommandMeta
	Reason     string
	LegalBasis string
}

// DeliverResults delivers the certificates of Items.
type DeliverResults struct {
	CommandMeta
	Method         DeliveryMethod
	TrackingNumber string
	Items          []string
}
