package casestatus

import (
	"bytes"
	"fmt"
	"net/url"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections"
)

// Index layout (invariant 6). Every variable part is escaped with
// url.PathEscape, so no subject reference, region or case ID can contain
// the "/" that separates the parts, and one prefix never matches another
// subject's or region's keys.
//
//	subject/<ref>/<rdate>/<case id>           -> Summary (codec.go)
//	region/<region>/<status>/<date>/<case id> -> Summary (codec.go)
//
// <date> is the submission date as YYYY-MM-DD, so a region's cases of one
// status come oldest first, the order a work queue is taken in. <rdate> is
// 99999999 minus YYYYMMDD, eight digits, so a subject's cases come newest
// first, what an applicant looks for, in a forward scan: the first page
// costs limit entries instead of the whole list. A case is indexed under
// its applicant and, when there is one, under its agent.
const (
	subjectPrefix = "subject/"
	regionPrefix  = "region/"
)

// Summary is one case in a list: what a list row shows.
type Summary struct {
	// CaseID is not stored: the key holds it.
	CaseID      string        `json:"-"`
	Bundle      string        `json:"b"`
	Status      domain.Status `json:"s"`
	SubmittedOn workday.Date  `json:"sub"`
	PromisedDue workday.Date  `json:"pd,omitzero"`
}

// indexed is everything a case's index entries derive from; two equal
// values mean equal keys and equal Summaries, so Apply rewrites entries
// only when one of these changes.
type indexed struct {
	summary          Summary
	region           string
	applicant, agent domain.SubjectRef
}

func (d *Doc) indexed() indexed {
	return indexed{
		summary:   Summary{Bundle: d.Bundle, Status: d.Status, SubmittedOn: d.SubmittedOn, PromisedDue: d.PromisedDue},
		region:    d.Region,
		applicant: d.Applicant,
		agent:     d.Agent,
	}
}

// maxKeys is the most index keys a case has: its applicant's, its agent's
// and its region's.
const maxKeys = 3

// keySet is the index keys of a case, back to back in b: key i is
// b[ends[i-1]:ends[i]]. Apply builds two per event that moves a case, in
// buffers on its stack: building them as strings was a million allocations
// per million events.
type keySet struct {
	b    []byte
	ends [maxKeys]int
	n    int
}

func (ks *keySet) key(i int) []byte {
	from := 0
	if i > 0 {
		from = ks.ends[i-1]
	}
	return ks.b[from:ks.ends[i]]
}

func (ks *keySet) has(k []byte) bool {
	for i := range ks.n {
		if bytes.Equal(ks.key(i), k) {
			return true
		}
	}
	return false
}

func (ks keySet) end() keySet {
	ks.ends[ks.n] = len(ks.b)
	ks.n++
	return ks
}

// appendKeys returns ks with the index keys of a case appended to ks.b;
// none before the case is submitted. ks is a value, not a pointer: a store
// through a pointer would move the caller's buffer to the heap.
func (x *indexed) appendKeys(ks keySet, caseID string) keySet {
	if x.summary.Status == domain.StatusNone {
		return ks
	}
	id := url.PathEscape(caseID)
	refs := [...]domain.SubjectRef{x.applicant, x.agent}
	if x.agent == x.applicant {
		refs[1] = ""
	}
	for _, ref := range refs {
		if ref == "" {
			continue
		}
		ks.b = appendSubjectPrefix(ks.b, ref)
		ks.b = append(appendReverseDate(ks.b, x.summary.SubmittedOn), '/')
		ks.b = append(ks.b, id...)
		ks = ks.end()
	}
	if x.region != "" {
		ks.b = appendRegionPrefix(ks.b, x.region, x.summary.Status)
		ks.b = append(appendISODate(ks.b, x.summary.SubmittedOn), '/')
		ks.b = append(ks.b, id...)
		ks = ks.end()
	}
	return ks
}

func subjectKeyPrefix(ref domain.SubjectRef) string {
	return string(appendSubjectPrefix(nil, ref))
}

func appendSubjectPrefix(dst []byte, ref domain.SubjectRef) []byte {
	return append(append(append(dst, subjectPrefix...), url.PathEscape(string(ref))...), '/')
}

// regionKeyPrefix is the prefix of a region's cases of one status, or of
// every status when status is empty.
func regionKeyPrefix(region string, status domain.Status) string {
	return string(appendRegionPrefix(nil, region, status))
}

func appendRegionPrefix(dst []byte, region string, status domain.Status) []byte {
	dst = append(append(append(dst, regionPrefix...), url.PathEscape(region)...), '/')
	if status != domain.StatusNone {
		dst = append(append(dst, status...), '/')
	}
	return dst
}

// appendReverseDate appends 99999999 minus YYYYMMDD as eight digits.
func appendReverseDate(dst []byte, d workday.Date) []byte {
	n := 99999999 - (d.Year*10000 + int(d.Month)*100 + d.Day)
	if n < 0 || n > 99999999 {
		return fmt.Appendf(dst, "%08d", n)
	}
	var digits [8]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, digits[:]...)
}

// appendISODate appends d as d.String() does, YYYY-MM-DD, without fmt.
func appendISODate(dst []byte, d workday.Date) []byte {
	y, m, day := d.Year, int(d.Month), d.Day
	if d.IsZero() || y < 0 || y > 9999 || m < 0 || m > 99 || day < 0 || day > 99 {
		return append(dst, d.String()...)
	}
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// reindex replaces a case's index entries derived from before with those
// derived from after (invariant 6).
func reindex(tx *projections.Tx, caseID string, before, after *indexed) error {
	if *before == *after {
		return nil
	}
	var oldBuf, newBuf [384]byte
	old := before.appendKeys(keySet{b: oldBuf[:0]}, caseID)
	now := after.appendKeys(keySet{b: newBuf[:0]}, caseID)
	for i := range old.n {
		if k := old.key(i); !now.has(k) {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
	}
	if now.n == 0 {
		return nil
	}
	var vb [32]byte
	v := appendSummary(vb[:0], &after.summary)
	for i := range now.n {
		if err := tx.Set(now.key(i), v); err != nil {
			return err
		}
	}
	return nil
}
