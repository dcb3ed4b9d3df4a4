package asof

import (
	"encoding/json"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/google/uuid"
)

// View is what a case's state says, in a stable JSON shape (rule 7): every
// key is always present, lists are never null, and zero dates are "".
type View struct {
	CaseID           string          `json:"case_id"`
	Status           domain.Status   `json:"status"`
	Bundle           string          `json:"bundle"`
	BundleName       string          `json:"bundle_name"`
	CatalogueVersion string          `json:"catalogue_version"`
	Channel          domain.Channel  `json:"channel"`
	Region           string          `json:"region"`
	Applicant        domain.Subject  `json:"applicant"`
	Agent            *domain.Subject `json:"agent"`
	SubmittedOn      workday.Date    `json:"submitted_on"`
	Provided         []string        `json:"provided"`
	MissingKey       []string        `json:"missing_key"`
	MissingMinor     []string        `json:"missing_minor"`
	Supplement       Supplement      `json:"supplement"`
	Acceptance       Acceptance      `json:"acceptance"`
	Items            []Item          `json:"items"`
	Delivered        []string        `json:"delivered"`
	Rating           Rating          `json:"rating"`
	Complaints       []Complaint     `json:"complaints"`
	Dubans           []Duban         `json:"dubans"`
	Corrections      []Correction    `json:"corrections"`
}

// Supplement is the one-time supplement notice (一次性告知).
type Supplement struct {
	Requested    bool         `json:"requested"`
	Open         bool         `json:"open"`
	NoticeNumber string       `json:"notice_number"`
	Missing      []string     `json:"missing"`
	RequestedOn  workday.Date `json:"requested_on"`
}

// Acceptance is what 受理 recorded.
type Acceptance struct {
	Number          string       `json:"number"`
	On              workday.Date `json:"on"`
	PromisedDue     workday.Date `json:"promised_due"`
	CalendarVersion string       `json:"calendar_version"`
	Tolerance       *Tolerance   `json:"tolerance"`
}

// Tolerance is the 容缺受理 part of an acceptance.
type Tolerance struct {
	Missing       []string     `json:"missing"`
	DueBy         workday.Date `json:"due_by"`
	CommitmentRef string       `json:"commitment_ref"`
	CreditCheck   string       `json:"credit_check_ref"`
}

// Item is one item of the case.
type Item struct {
	Code            string            `json:"code"`
	Department      string            `json:"department"`
	Status          domain.ItemStatus `json:"status"`
	Outcome         domain.Outcome    `json:"outcome"`
	DispatchedOn    workday.Date      `json:"dispatched_on"`
	Limit           workday.Limit     `json:"limit"`
	Extension       workday.Limit     `json:"extension"`
	Due             workday.Date      `json:"due"`
	CalendarVersion string            `json:"calendar_version"`
	Pauses          []workday.Pause   `json:"pauses"`
	// Paused says why the clock is stopped: "suspended", "supplement" or
	// the special procedure's kind; "" while it runs.
	Paused      string                `json:"paused"`
	Steps       []Step                `json:"steps"`
	Certificate *domain.Certificate   `json:"certificate"`
	Warnings    []domain.WarningLevel `json:"warnings"`
}

// Step is one processing step of an item.
type Step struct {
	Step   domain.Step   `json:"step"`
	Action domain.Action `json:"action"`
}

// Rating is the 好差评 and the handling of a bad one.
type Rating struct {
	Rated         bool               `json:"rated"`
	Label         domain.RatingLabel `json:"label"`
	ReasonTags    []string           `json:"reason_tags"`
	On            workday.Date       `json:"on"`
	CalledBack    bool               `json:"called_back"`
	Verdict       domain.Verdict     `json:"verdict"`
	RectifyBy     workday.Date       `json:"rectify_by"`
	Rectified     bool               `json:"rectified"`
	Appealed      bool               `json:"appealed"`
	AppealDecided bool               `json:"appeal_decided"`
	Upheld        bool               `json:"upheld"`
	SignedOff     bool               `json:"signed_off"`
}

// Complaint is a complaint against a department or one of its steps.
type Complaint struct {
	ID         string       `json:"id"`
	Department string       `json:"department"`
	Item       string       `json:"item"`
	Step       domain.Step  `json:"step"`
	AnswerBy   workday.Date `json:"answer_by"`
	Answered   bool         `json:"answered"`
}

// Duban is a supervisor's 督办.
type Duban struct {
	ID     string `json:"id"`
	Item   string `json:"item"`
	Closed bool   `json:"closed"`
}

// Correction annotates an event recorded in error (rule 8).
type Correction struct {
	// ID, Version and OccurredAt are the correcting event's.
	ID         string       `json:"id"`
	Version    uint64       `json:"version"`
	OccurredAt time.Time    `json:"occurred_at"`
	Actor      domain.Actor `json:"actor"`
	// Corrects is the corrected event, with its version and type.
	Corrects        string `json:"corrects"`
	CorrectsVersion uint64 `json:"corrects_version"`
	CorrectsType    string `json:"corrects_type"`
	Field           string `json:"field"`
	// Recorded is the value the corrected event holds for Field, when Field
	// is one of its top-level keys; null otherwise.
	Recorded   json.RawMessage `json:"recorded"`
	Correction string          `json:"correction"`
	Reason     string          `json:"reason"`
}

// newView returns the view of s; read are the events read, which hold
// every event a correction in s refers to.
func newView(s *domain.State, read []eventstore.RecordedEvent) View {
	v := View{
		CaseID: s.CaseID, Status: s.Status, Bundle: s.Bundle.Code, BundleName: s.Bundle.NameZH,
		CatalogueVersion: s.CatalogueVersion, Channel: s.Channel, Region: s.Region,
		Applicant: s.Applicant, Agent: s.Agent, SubmittedOn: s.SubmittedAt,
		Provided: list(s.Provided), MissingKey: list(s.MissingKey), MissingMinor: list(s.MissingMinor),
		Supplement: Supplement{Requested: s.Supplement.Requested, Open: s.Supplement.Open,
			NoticeNumber: s.Supplement.NoticeNumber, Missing: list(s.Supplement.Missing), RequestedOn: s.Supplement.RequestedOn},
		Acceptance: Acceptance{Number: s.Acceptance.Number, On: s.Acceptance.On, PromisedDue: s.Acceptance.PromisedDue,
			CalendarVersion: s.Acceptance.CalendarVersion},
		Items:     make([]Item, len(s.Items)),
		Delivered: list(s.Delivered),
		Rating: Rating{Rated: s.Rating.Rated, Label: s.Rating.Label, ReasonTags: list(s.Rating.ReasonTags),
			On: s.Rating.On, CalledBack: s.Rating.CalledBack, Verdict: s.Rating.Verdict, RectifyBy: s.Rating.RectifyBy,
			Rectified: s.Rating.Rectified, Appealed: s.Rating.Appealed, AppealDecided: s.Rating.AppealDecided,
			Upheld: s.Rating.Upheld, SignedOff: s.Rating.SignedOff},
		Complaints:  make([]Complaint, len(s.Complaints)),
		Dubans:      make([]Duban, len(s.Dubans)),
		Corrections: corrections(s.Corrections, read),
	}
	if t := s.Acceptance.Tolerance; t != nil {
		v.Acceptance.Tolerance = &Tolerance{Missing: list(t.Missing), DueBy: t.DueBy,
			CommitmentRef: t.CommitmentRef, CreditCheck: t.CreditCheck}
	}
	for i := range s.Items {
		v.Items[i] = newItem(&s.Items[i])
	}
	for i, c := range s.Complaints {
		v.Complaints[i] = Complaint{ID: c.ID, Department: c.Department, Item: c.Item, Step: c.Step,
			AnswerBy: c.AnswerBy, Answered: c.Answered}
	}
	for i, d := range s.Dubans {
		v.Dubans[i] = Duban{ID: d.ID, Item: d.Item, Closed: d.Closed}
	}
	return v
}

func newItem(it *domain.ItemState) Item {
	out := Item{Code: it.Code, Department: it.Department, Status: it.Status, Outcome: it.Outcome,
		DispatchedOn: it.DispatchedOn, Limit: it.Limit, Extension: it.Extension, Due: it.Due,
		CalendarVersion: it.CalendarVersion, Pauses: list(it.Pauses), Steps: make([]Step, len(it.Steps)),
		Certificate: it.Certificate, Warnings: list(it.Warnings)}
	switch {
	case it.Suspended:
		out.Paused = "suspended"
	case it.Special != "":
		out.Paused = string(it.Special)
	case it.AwaitingSupplement:
		out.Paused = "supplement"
	}
	for i, st := range it.Steps {
		out.Steps[i] = Step{Step: st.Step, Action: st.Action}
	}
	return out
}

// corrections annotates each correction with the events it names. They
// are rare, so the events are indexed only when there is one.
func corrections(cs []domain.EventCorrected, read []eventstore.RecordedEvent) []Correction {
	out := make([]Correction, len(cs))
	if len(cs) == 0 {
		return out
	}
	byID := make(map[uuid.UUID]*eventstore.RecordedEvent, len(read))
	for i := range read {
		byID[read[i].ID] = &read[i]
	}
	for i, c := range cs {
		out[i] = Correction{ID: c.ID.String(), OccurredAt: c.OccurredAt, Actor: c.Actor,
			Corrects: c.Corrects.String(), Field: c.Field, Correction: c.Correction, Reason: c.Reason}
		if e, ok := byID[c.ID]; ok {
			out[i].Version = e.Version
		}
		if e, ok := byID[c.Corrects]; ok {
			out[i].CorrectsVersion, out[i].CorrectsType = e.Version, e.Type
			out[i].Recorded = topLevel(e.Data, c.Field)
		}
	}
	return out
}

// topLevel returns the value of key in a JSON object, nil if absent.
func topLevel(data json.RawMessage, key string) json.RawMessage {
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return nil
	}
	return fields[key]
}

// list returns xs, or an empty list for nil, so JSON shows [] (rule 7).
func list[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (it Item) diffKey() string      { return it.Code }
func (c Complaint) diffKey() string  { return c.ID }
func (d Duban) diffKey() string      { return d.ID }
func (c Correction) diffKey() string { return c.ID }
