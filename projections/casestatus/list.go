package casestatus

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// Page sizes of the list queries.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Page is one page of a list.
type Page struct {
	Cases []Summary
	// Next is the opaque cursor of the following page; empty on the last.
	Next string
	// Position is the log position the page reflects.
	Position uint64
}

// ListBySubject lists the cases whose applicant or agent is ref, newest
// submission first (cases submitted the same day by case ID), once the
// projection reached minPosition. cursor is "" for the first page, else a
// Page.Next of the same list; limit 0 means DefaultLimit. A bad cursor or
// limit fails with domain.CodeInvalid.
func ListBySubject(ctx context.Context, r *projections.Runner, ref domain.SubjectRef, minPosition uint64, cursor string, limit int) (Page, error) {
	if ref == "" {
		return Page{}, invalid("subject", "required")
	}
	return list(ctx, r, subjectKeyPrefix(ref), minPosition, cursor, limit)
}

// ListByRegion lists the cases of a region with the given status, or of
// every status when status is empty, once the projection reached
// minPosition. Cases come by status (in the order of their names) and,
// within a status, oldest submission first. Cursor and limit are as for
// ListBySubject.
func ListByRegion(ctx context.Context, r *projections.Runner, region string, status domain.Status, minPosition uint64, cursor string, limit int) (Page, error) {
	if region == "" {
		return Page{}, invalid("region", "required")
	}
	switch status {
	case domain.StatusNone, domain.StatusSubmitted, domain.StatusAccepted, domain.StatusRefused,
		domain.StatusCompleted, domain.StatusWithdrawn, domain.StatusTerminated:
	default:
		return Page{}, invalid("status", "no status "+string(status))
	}
	return list(ctx, r, regionKeyPrefix(region, status), minPosition, cursor, limit)
}

// errPageFull stops a scan once a page and the look-ahead entry are read.
var errPageFull = errors.New("casestatus: page full")

// list reads one page of the index entries under prefix. A cursor is the
// base64url of the last key of the previous page. The runner's View.Scan
// cannot seek, so a later page scans from the start of the prefix and
// skips the keys up to the cursor: page n costs about n*limit entries read,
// which stays small for one subject's or one region-and-status's cases; a
// page stops reading as soon as it is full.
func list(ctx context.Context, r *projections.Runner, prefix string, minPosition uint64, cursor string, limit int) (Page, error) {
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return Page{}, invalid("limit", fmt.Sprintf("must be 1 to %d", MaxLimit))
	}
	var after []byte
	if cursor != "" {
		var err error
		after, err = base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || !bytes.HasPrefix(after, []byte(prefix)) {
			return Page{}, invalid("cursor", "not a cursor of this list")
		}
	}
	var p Page
	var last []byte
	err := r.Read(ctx, Name, minPosition, func(v *projections.View) error {
		p.Position = v.Position()
		err := v.Scan([]byte(prefix), func(k, val []byte) error {
			if after != nil && bytes.Compare(k, after) <= 0 {
				return nil
			}
			if len(p.Cases) == limit {
				p.Next = base64.RawURLEncoding.EncodeToString(last)
				return errPageFull
			}
			s, err := decodeSummary(k, val)
			if err != nil {
				return err
			}
			p.Cases = append(p.Cases, s)
			last = append(last[:0], k...)
			return nil
		})
		if errors.Is(err, errPageFull) {
			return nil
		}
		return err
	})
	if err != nil {
		return Page{}, err
	}
	return p, nil
}

func decodeSummary(k, val []byte) (Summary, error) {
	var s Summary
	if err := decodeSummaryValue(val, &s); err != nil {
		return Summary{}, fmt.Errorf("casestatus: index entry %s: %w", k, err)
	}
	id, err := url.PathUnescape(string(k[bytes.LastIndexByte(k, '/')+1:]))
	if err != nil {
		return Summary{}, fmt.Errorf("casestatus: index key %s: %w", k, err)
	}
	s.CaseID = id
	return s, nil
}

func invalid(field, msg string) error {
	return &domain.Error{Code: domain.CodeInvalid, Message: "invalid list request",
		Fields: []domain.FieldError{{Field: field, Message: msg}}}
}
