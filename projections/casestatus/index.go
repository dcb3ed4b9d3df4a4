package casestatus

import (
	"fmt"
	"net/url"
	"slices"

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

// keys returns the index keys of a case; none before it is submitted.
func (x indexed) keys(caseID string) []string {
	if x.summary.Status == domain.StatusNone {
		return nil
	}
	id := url.PathEscape(caseID)
	var out []string
	refs := []domain.SubjectRef{x.applicant}
	if x.agent != x.applicant {
		refs = append(refs, x.agent)
	}
	for _, ref := range refs {
		if ref != "" {
			out = append(out, subjectKeyPrefix(ref)+reverseDate(x.summary.SubmittedOn)+"/"+id)
		}
	}
	if x.region != "" {
		out = append(out, regionKeyPrefix(x.region, x.summary.Status)+x.summary.SubmittedOn.String()+"/"+id)
	}
	return out
}

func subjectKeyPrefix(ref domain.SubjectRef) string {
	return subjectPrefix + url.PathEscape(string(ref)) + "/"
}

// regionKeyPrefix is the prefix of a region's cases of one status, or of
// every status when status is empty.
func regionKeyPrefix(region string, status domain.Status) string {
	p := regionPrefix + url.PathEscape(region) + "/"
	if status != domain.StatusNone {
		p += string(status) + "/"
	}
	return p
}

func reverseDate(d workday.Date) string {
	return fmt.Sprintf("%08d", 99999999-(d.Year*10000+int(d.Month)*100+d.Day))
}

// reindex replaces a case's index entries derived from before with those
// derived from after (invariant 6).
func reindex(tx *projections.Tx, caseID string, before, after indexed) error {
	if before == after {
		return nil
	}
	newKeys := after.keys(caseID)
	for _, k := range before.keys(caseID) {
		if !slices.Contains(newKeys, k) {
			if err := tx.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	if len(newKeys) == 0 {
		return nil
	}
	v := encodeSummary(&after.summary)
	for _, k := range newKeys {
		if err := tx.Set([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}
