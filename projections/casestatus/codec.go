package casestatus

import (
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections/internal/bin"
)

// Stored format (invariant 1). A Doc and a Summary are stored as a format
// byte followed by their fields in declaration order, in the encodings of
// package bin: integers and counts as uvarints, strings with their length,
// dates as day offsets, and the domain's status, outcome and delivery
// values and the pause kinds as one byte (enums). JSON spent half of a
// document on field names, quotes and ten-byte dates, and the status read
// model must fit in its share of 2 KB per case.
const (
	docFormat     = 1
	summaryFormat = 1
)

// enums is part of the format: values are only ever appended.
var enums = bin.NewEnum(
	string(domain.StatusSubmitted), string(domain.StatusAccepted), string(domain.StatusRefused),
	string(domain.StatusCompleted), string(domain.StatusWithdrawn), string(domain.StatusTerminated),
	string(domain.ItemWaiting), string(domain.ItemSent), string(domain.ItemInProgress),
	string(domain.ItemConcluded), string(domain.ItemWithdrawn),
	string(domain.Approved), string(domain.ApprovedTolerance), string(domain.Denied),
	string(domain.OutcomeWithdrawn), string(domain.Unreachable),
	string(domain.DeliverPickup), string(domain.DeliverPost), string(domain.DeliverECert),
	pauseSupplement, "suspended",
)

func encodeDoc(dst []byte, v any) ([]byte, error) {
	d := v.(*Doc)
	w := &bin.Writer{B: dst}
	w.Byte(docFormat)
	w.Uvarint(uint64(d.Version))
	w.Str(d.Bundle)
	w.Enum(enums, string(d.Status))
	w.Str(d.Region)
	w.Str(string(d.Applicant))
	w.Str(string(d.Agent))
	w.Str(d.Centre)
	w.Date(d.SubmittedOn)
	w.Date(d.AcceptedOn)
	w.Date(d.PromisedDue)
	w.Flag(d.Supplement != nil)
	if s := d.Supplement; s != nil {
		w.Str(s.Notice)
		w.Strs(s.Missing)
		w.Date(s.RequestedOn)
	}
	w.Strs(d.ToleranceMissing)
	w.Date(d.ToleranceDue)
	w.Uvarint(uint64(len(d.Items)))
	for i := range d.Items {
		it := &d.Items[i]
		w.Str(it.Code)
		w.Str(it.Department)
		w.Enum(enums, string(it.Status))
		w.Enum(enums, string(it.Outcome))
		w.Date(it.Due)
		w.Enum(enums, it.Pause)
		w.Date(it.PausedOn)
		w.Str(it.Certificate)
	}
	w.Uvarint(uint64(len(d.Deliveries)))
	for i := range d.Deliveries {
		dl := &d.Deliveries[i]
		w.Enum(enums, string(dl.Method))
		w.Str(dl.TrackingNumber)
		w.Strs(dl.Items)
		w.Date(dl.On)
	}
	w.Flag(d.Rated)
	return w.B, nil
}

// decodeDoc fills d from its stored bytes; CaseID is the caller's.
func decodeDoc(b []byte, d *Doc) error {
	r := &bin.Reader{B: b}
	if r.Byte() != docFormat {
		return fmt.Errorf("%w: doc format", bin.ErrCorrupt)
	}
	d.Version = int(r.Uvarint())
	d.Bundle = shared(r.Str())
	d.Status = domain.Status(r.Enum(enums))
	d.Region = shared(r.Str())
	d.Applicant = domain.SubjectRef(r.Str())
	d.Agent = domain.SubjectRef(r.Str())
	d.Centre = shared(r.Str())
	d.SubmittedOn, d.AcceptedOn, d.PromisedDue = r.Date(), r.Date(), r.Date()
	if r.Flag() {
		d.Supplement = &Supplement{Notice: r.Str(), Missing: r.Strs(), RequestedOn: r.Date()}
	}
	d.ToleranceMissing = r.Strs()
	d.ToleranceDue = r.Date()
	if n := r.Count(); n > 0 {
		d.Items = make([]Item, n)
		for i := range d.Items {
			it := &d.Items[i]
			it.Code, it.Department = shared(r.Str()), shared(r.Str())
			it.Status, it.Outcome = domain.ItemStatus(r.Enum(enums)), domain.Outcome(r.Enum(enums))
			it.Due, it.Pause, it.PausedOn = r.Date(), r.Enum(enums), r.Date()
			it.Certificate = r.Str()
		}
	}
	if n := r.Count(); n > 0 {
		d.Deliveries = make([]Delivery, n)
		for i := range d.Deliveries {
			dl := &d.Deliveries[i]
			dl.Method, dl.TrackingNumber = domain.DeliveryMethod(r.Enum(enums)), r.Str()
			dl.Items, dl.On = r.Strs(), r.Date()
		}
	}
	d.Rated = r.Flag()
	return r.End()
}

// appendSummary appends s's stored bytes to dst, which may be on the
// caller's stack (no bin.Writer, which would move it to the heap).
func appendSummary(dst []byte, s *Summary) []byte {
	dst = append(dst, summaryFormat)
	dst = bin.AppendStr(dst, s.Bundle)
	dst = bin.AppendEnum(dst, enums, string(s.Status))
	dst = bin.AppendDate(dst, s.SubmittedOn)
	return bin.AppendDate(dst, s.PromisedDue)
}

// decodeSummaryValue fills s from its stored bytes; CaseID is the caller's.
func decodeSummaryValue(b []byte, s *Summary) error {
	r := &bin.Reader{B: b}
	if r.Byte() != summaryFormat {
		return fmt.Errorf("%w: summary format", bin.ErrCorrupt)
	}
	s.Bundle = r.Str()
	s.Status = domain.Status(r.Enum(enums))
	s.SubmittedOn, s.PromisedDue = r.Date(), r.Date()
	return r.End()
}
