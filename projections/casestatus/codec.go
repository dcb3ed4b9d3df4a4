package casestatus

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
)

// Stored format (invariant 1). A Doc and a Summary are stored as a format
// byte followed by their fields in declaration order: integers and counts
// as uvarints, strings as a uvarint length and the bytes, dates as days
// from dateEpoch (dates), and the domain's status, outcome and delivery
// values as one byte each (enums). JSON spent half of a document on field
// names, quotes and ten-byte dates, and the status read model must fit in
// its share of 2 KB per case.
const (
	docFormat     = 1
	summaryFormat = 1
)

var errCorrupt = errors.New("casestatus: corrupt stored value")

// dateEpoch makes the dates of this century's cases two bytes long.
var dateEpoch = workday.NewDate(2020, 1, 1)

// enums are the values stored as one byte: their index plus one, 0 being
// the empty string. Part of the format: values are only ever appended. A
// value not listed (a newer domain) is stored as enumOther and the string.
var enums = []string{
	string(domain.StatusSubmitted), string(domain.StatusAccepted), string(domain.StatusRefused),
	string(domain.StatusCompleted), string(domain.StatusWithdrawn), string(domain.StatusTerminated),
	string(domain.ItemWaiting), string(domain.ItemSent), string(domain.ItemInProgress),
	string(domain.ItemConcluded), string(domain.ItemWithdrawn),
	string(domain.Approved), string(domain.ApprovedTolerance), string(domain.Denied),
	string(domain.OutcomeWithdrawn), string(domain.Unreachable),
	string(domain.DeliverPickup), string(domain.DeliverPost), string(domain.DeliverECert),
	pauseSupplement, "suspended",
}

const enumOther = 0xff

var enumIndex = func() map[string]byte {
	m := map[string]byte{}
	for i, s := range enums {
		m[s] = byte(i + 1)
	}
	return m
}()

type writer struct{ b []byte }

func (w *writer) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }

func (w *writer) str(s string) {
	w.uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *writer) strs(ss []string) {
	w.uvarint(uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

// date stores the zero date as 0, others as their zigzag day offset plus 1.
func (w *writer) date(d workday.Date) {
	if d.IsZero() {
		w.uvarint(0)
		return
	}
	n := int64(dateEpoch.DaysUntil(d))
	w.uvarint(uint64(n<<1^n>>63) + 1)
}

func (w *writer) enum(s string) {
	if s == "" {
		w.b = append(w.b, 0)
		return
	}
	if i, ok := enumIndex[s]; ok {
		w.b = append(w.b, i)
		return
	}
	w.b = append(w.b, enumOther)
	w.str(s)
}

func (w *writer) flag(b bool) {
	if b {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// reader decodes what writer wrote; the first error sticks and zero values
// follow it.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// count reads a length, bounded by the bytes left (every element takes at
// least one), so a corrupt count cannot make a huge allocation.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *reader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *reader) date() workday.Date {
	v := r.uvarint()
	if v == 0 {
		return workday.Date{}
	}
	z := v - 1
	return dateEpoch.AddDays(int(int64(z>>1) ^ -int64(z&1)))
}

func (r *reader) enum() string {
	switch i := r.byte(); {
	case i == 0:
		return ""
	case i == enumOther:
		return r.str()
	case int(i) <= len(enums):
		return enums[i-1]
	default:
		r.fail()
		return ""
	}
}

func (r *reader) flag() bool { return r.byte() != 0 }

func encodeDoc(v any) ([]byte, error) {
	d := v.(*Doc)
	w := &writer{b: make([]byte, 0, 512)}
	w.b = append(w.b, docFormat)
	w.uvarint(uint64(d.Version))
	w.str(d.Bundle)
	w.enum(string(d.Status))
	w.str(d.Region)
	w.str(string(d.Applicant))
	w.str(string(d.Agent))
	w.str(d.Centre)
	w.date(d.SubmittedOn)
	w.date(d.AcceptedOn)
	w.date(d.PromisedDue)
	w.flag(d.Supplement != nil)
	if s := d.Supplement; s != nil {
		w.str(s.Notice)
		w.strs(s.Missing)
		w.date(s.RequestedOn)
	}
	w.strs(d.ToleranceMissing)
	w.date(d.ToleranceDue)
	w.uvarint(uint64(len(d.Items)))
	for i := range d.Items {
		it := &d.Items[i]
		w.str(it.Code)
		w.str(it.Department)
		w.enum(string(it.Status))
		w.enum(string(it.Outcome))
		w.date(it.Due)
		w.enum(it.Pause)
		w.date(it.PausedOn)
		w.str(it.Certificate)
	}
	w.uvarint(uint64(len(d.Deliveries)))
	for i := range d.Deliveries {
		dl := &d.Deliveries[i]
		w.enum(string(dl.Method))
		w.str(dl.TrackingNumber)
		w.strs(dl.Items)
		w.date(dl.On)
	}
	w.flag(d.Rated)
	return w.b, nil
}

// decodeDoc fills d from its stored bytes; CaseID is the caller's.
func decodeDoc(b []byte, d *Doc) error {
	r := &reader{b: b}
	if r.byte() != docFormat {
		return fmt.Errorf("%w: doc format", errCorrupt)
	}
	d.Version = int(r.uvarint())
	d.Bundle = r.str()
	d.Status = domain.Status(r.enum())
	d.Region = r.str()
	d.Applicant = domain.SubjectRef(r.str())
	d.Agent = domain.SubjectRef(r.str())
	d.Centre = r.str()
	d.SubmittedOn, d.AcceptedOn, d.PromisedDue = r.date(), r.date(), r.date()
	if r.flag() {
		d.Supplement = &Supplement{Notice: r.str(), Missing: r.strs(), RequestedOn: r.date()}
	}
	d.ToleranceMissing = r.strs()
	d.ToleranceDue = r.date()
	if n := r.count(); n > 0 {
		d.Items = make([]Item, n)
		for i := range d.Items {
			it := &d.Items[i]
			it.Code, it.Department = r.str(), r.str()
			it.Status, it.Outcome = domain.ItemStatus(r.enum()), domain.Outcome(r.enum())
			it.Due, it.Pause, it.PausedOn = r.date(), r.enum(), r.date()
			it.Certificate = r.str()
		}
	}
	if n := r.count(); n > 0 {
		d.Deliveries = make([]Delivery, n)
		for i := range d.Deliveries {
			dl := &d.Deliveries[i]
			dl.Method, dl.TrackingNumber = domain.DeliveryMethod(r.enum()), r.str()
			dl.Items, dl.On = r.strs(), r.date()
		}
	}
	d.Rated = r.flag()
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

func encodeSummary(s *Summary) []byte {
	w := &writer{b: make([]byte, 0, 32)}
	w.b = append(w.b, summaryFormat)
	w.str(s.Bundle)
	w.enum(string(s.Status))
	w.date(s.SubmittedOn)
	w.date(s.PromisedDue)
	return w.b
}

// decodeSummaryValue fills s from its stored bytes; CaseID is the caller's.
func decodeSummaryValue(b []byte, s *Summary) error {
	r := &reader{b: b}
	if r.byte() != summaryFormat {
		return fmt.Errorf("%w: summary format", errCorrupt)
	}
	s.Bundle = r.str()
	s.Status = domain.Status(r.enum())
	s.SubmittedOn, s.PromisedDue = r.date(), r.date()
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}
