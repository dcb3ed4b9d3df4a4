package timeline

import (
	"slices"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// Step is one event of a case as the supervisor sees it (invariant 2).
// Which event fields land in Kind, Text, LegalBasis and Ref is listed in
// stepOf.
type Step struct {
	Version    uint64
	Position   uint64
	Type       string
	Actor      domain.Actor
	OccurredAt time.Time // UTC
	RecordedAt time.Time // UTC, the store's clock, to the microsecond
	Item       string
	// Department is the department an item is dispatched to or a complaint
	// targets.
	Department string
	// Kind is the event's label: step and action ("承办/通过"), outcome,
	// pause kind, limit, warning level, rating label, verdict, delivery
	// method, corrected field.
	Kind string
	// Text is the officer's or applicant's words: reason, opinion, result,
	// notes, answer, or the materials concerned.
	Text       string
	LegalBasis string
	// Ref is a document number or identifier: notice, acceptance, approval,
	// 督办 or complaint ID, corrected value. Certificate and tracking
	// numbers are left to the status model (casestatus), which shows them.
	Ref   string
	Due   workday.Date
	Items []string
	Dues  []domain.ItemDue
	// Corrects is the version of the step an EventCorrected step corrects,
	// -1 for other steps or when the reference cannot be resolved (see
	// invariant 4); CorrectsID is the corrected event's ID as recorded.
	Corrects   int
	CorrectsID uuid.UUID
	// WorkingDays are the working days from the previous step's day to this
	// step's day (from excluded), computed at query time; 0 for the first.
	WorkingDays int
}

// Pause kinds besides the special procedures' own kinds.
const (
	PauseSupplement = "supplement"
	PauseSuspended  = "suspended"
)

// stepOf maps an event onto the step fields. Version, position, times and
// actor are filled by the caller.
func stepOf(ev domain.Event) Step {
	s := Step{Type: ev.Type(), Corrects: -1}
	switch e := ev.(type) {
	case *domain.CaseSubmitted:
		s.Kind = string(e.Channel)
	case *domain.CasePrechecked:
		s.Text = join(append(append([]string(nil), e.MissingKey...), e.MissingMinor...))
	case *domain.CaseRefused:
		s.Text, s.LegalBasis, s.Ref = e.Reason, e.LegalBasis, e.NoticeNumber
	case *domain.SupplementRequested:
		s.Text, s.Ref = join(e.Missing), e.NoticeNumber
	case *domain.SupplementReceived:
		s.Text, s.Dues = join(e.Materials), e.Due
	case *domain.CaseAccepted:
		s.Ref, s.Due = e.AcceptanceNumber, e.PromisedDue
		switch {
		case e.Tolerance != nil:
			s.Kind, s.Text = "tolerance", join(e.Tolerance.Missing)
		case e.FromReceipt:
			s.Kind = "from_receipt"
		}
	case *domain.ToleranceMaterialsReceived:
		s.Text = join(e.Materials)
	case *domain.CaseWithdrawn:
		s.Text = e.Reason
	case *domain.ItemsWithdrawn:
		s.Text, s.Items = e.Reason, e.Items
	case *domain.CaseTerminated:
		s.Text, s.LegalBasis = e.Reason, e.LegalBasis
	case *domain.BundleCompleted:
	case *domain.ResultsDelivered:
		s.Kind, s.Items = string(e.Method), e.Items
	default:
		itemStep(&s, ev)
	}
	return s
}

func itemStep(s *Step, ev domain.Event) {
	switch e := ev.(type) {
	case *domain.ItemDispatched:
		s.Item, s.Department, s.Kind, s.Due = e.Item, e.Department, limitKind(e.Limit), e.Due
	case *domain.ItemAccepted:
		s.Item = e.Item
	case *domain.StepRecorded:
		s.Item, s.Kind, s.Text = e.Item, stepKind(e.Step, e.Action), e.Opinion
	case *domain.ItemSuspended:
		s.Item, s.Kind, s.Text = e.Item, PauseSuspended, e.Reason
	case *domain.ItemResumed:
		s.Item, s.Due = e.Item, e.Due
	case *domain.SpecialProcedureStarted:
		s.Item, s.Kind, s.Text = e.Item, string(e.Kind), e.Reason
	case *domain.SpecialProcedureEnded:
		s.Item, s.Text, s.Due = e.Item, e.Result, e.Due
	case *domain.DeadlineExtended:
		s.Item, s.Kind, s.Ref, s.Text, s.Due = e.Item, limitKind(e.By), e.ApprovalRef, e.Reason, e.Due
	case *domain.ItemDecided:
		s.Item, s.Kind, s.LegalBasis, s.Text = e.Item, string(e.Outcome), e.LegalBasis, e.Opinion
	case *domain.CertificateIssued:
		s.Item, s.Kind = e.Item, e.Certificate.Name
	case *domain.WarningRaised:
		s.Item, s.Kind, s.Due = e.Item, string(e.Level), e.Due
	default:
		followUpStep(s, ev)
	}
}

func followUpStep(s *Step, ev domain.Event) {
	switch e := ev.(type) {
	case *domain.CaseRated:
		s.Kind, s.Text = string(e.Label), join(e.ReasonTags)
	case *domain.RatingCalledBack:
		s.Text = e.Notes
	case *domain.RatingTriaged:
		s.Kind, s.Text, s.Due = string(e.Verdict), e.Reason, e.RectifyBy
	case *domain.RectificationReported:
		s.Text = e.Summary
	case *domain.RatingSignedOff:
		s.Text = e.Notes
	case *domain.RatingAppealed:
		s.Text = e.Grounds
	case *domain.AppealDecided:
		s.Kind, s.Text = "rejected", e.Reason
		if e.Upheld {
			s.Kind = "upheld"
		}
	case *domain.ComplaintFiled:
		s.Ref, s.Department, s.Item, s.Kind, s.Text, s.Due = e.ComplaintID, e.Department, e.Item, string(e.Step), e.Summary, e.AnswerBy
	case *domain.ComplaintAnswered:
		s.Ref, s.Text = e.ComplaintID, e.Answer
	case *domain.DubanIssued:
		s.Ref, s.Item, s.Text, s.LegalBasis = e.DubanID, e.Item, e.Reason, e.Reference
	case *domain.DubanClosed:
		s.Ref, s.Text = e.DubanID, e.Result
	case *domain.EventCorrected:
		s.Kind, s.Ref, s.Text, s.CorrectsID = e.Field, e.Correction, e.Reason, e.Corrects
	}
}

func join(xs []string) string { return strings.Join(xs, ",") }

const maxTabledLimit = 120

// Kinds built from two values come from tables made at start for the
// domain's steps and actions and for limits of up to maxTabledLimit days:
// building them for every event was a third of a million allocations per
// million events. Other values (history is fact) are built as before.
var (
	stepNames   = []domain.Step{domain.StepHandle, domain.StepReview, domain.StepApprove}
	actionNames = []domain.Action{domain.ActionPass, domain.ActionReturn, domain.ActionOther}
	limitUnits  = []workday.Unit{workday.WorkingDays, workday.NaturalDays}
	stepKinds   = func() (k [][]string) {
		for _, st := range stepNames {
			k = append(k, nil)
			for _, a := range actionNames {
				k[len(k)-1] = append(k[len(k)-1], string(st)+"/"+string(a))
			}
		}
		return k
	}()
	limitKinds = func() (k [][]string) {
		for _, u := range limitUnits {
			k = append(k, nil)
			for n := range maxTabledLimit + 1 {
				k[len(k)-1] = append(k[len(k)-1], workday.Limit{Value: n, Unit: u}.String())
			}
		}
		return k
	}()
)

// stepKind is a StepRecorded's kind, "<step>/<action>".
func stepKind(st domain.Step, a domain.Action) string {
	i, j := slices.Index(stepNames, st), slices.Index(actionNames, a)
	if i < 0 || j < 0 {
		return string(st) + "/" + string(a)
	}
	return stepKinds[i][j]
}

// limitKind is l.String().
func limitKind(l workday.Limit) string {
	i := slices.Index(limitUnits, l.Unit)
	if i < 0 || l.Value < 0 || l.Value > maxTabledLimit {
		return l.String()
	}
	return limitKinds[i][l.Value]
}

// types numbers event types in the stored steps. The order is part of the
// format: append only, never reorder (a test checks every domain type is
// here).
var types = []string{
	"", // 0 is never written
	"CaseSubmitted", "CasePrechecked", "CaseRefused", "SupplementRequested", "SupplementReceived",
	"CaseAccepted", "ToleranceMaterialsReceived", "CaseWithdrawn", "ItemsWithdrawn", "CaseTerminated",
	"BundleCompleted", "ResultsDelivered", "ItemDispatched", "ItemAccepted", "StepRecorded",
	"ItemSuspended", "ItemResumed", "SpecialProcedureStarted", "SpecialProcedureEnded", "DeadlineExtended",
	"ItemDecided", "CertificateIssued", "CaseRated", "RatingCalledBack", "RatingTriaged",
	"RectificationReported", "RatingSignedOff", "RatingAppealed", "AppealDecided", "ComplaintFiled",
	"ComplaintAnswered", "WarningRaised", "DubanIssued", "DubanClosed", "EventCorrected",
}

var typeCodes = func() map[string]byte {
	if len(types) > 1<<typeBits {
		panic("timeline: more event types than a step's type bits hold; change the format")
	}
	m := make(map[string]byte, len(types))
	for i, t := range types[1:] {
		m[t] = byte(i + 1)
	}
	return m
}()

// KnownTypes lists the event types the timeline stores, for the test that
// keeps it in step with the domain.
func KnownTypes() []string { return append([]string(nil), types[1:]...) }
