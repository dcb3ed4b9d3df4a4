package dispute

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// Find returns the index document of dispute id once the projection reached
// minPosition. An unknown dispute fails with domain.CodeNotFound.
func Find(ctx context.Context, r *projections.Runner, minPosition uint64, id string) (Dispute, error) {
	var d Dispute
	found := false
	err := r.Read(ctx, Name, minPosition, func(v *projections.View) error {
		b, ok, err := v.Get(disputeKey(id))
		if err != nil || !ok {
			return err
		}
		found = true
		return json.Unmarshal(b, &d)
	})
	if err != nil {
		return Dispute{}, fmt.Errorf("dispute: get %s: %w", id, err)
	}
	if !found {
		return Dispute{}, domain.Errorf(domain.CodeNotFound, "no dispute %s", id)
	}
	d.ID = id
	return d, nil
}

// Page is one page of open disputes; Next is the cursor of the following
// page, empty after the last.
type Page struct {
	Disputes []Dispute `json:"disputes"`
	Next     string    `json:"next,omitempty"`
}

// MaxPage bounds a page of ListOpen.
const MaxPage = 500

var errPageFull = errors.New("page full")

// ListOpen returns up to limit open disputes of region in filing order
// (design 4), starting after cursor ("" for the first page).
func ListOpen(ctx context.Context, r *projections.Runner, minPosition uint64, region, cursor string, limit int) (Page, error) {
	if limit <= 0 || limit > MaxPage {
		return Page{}, &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("a page holds 1 to %d disputes", MaxPage),
			Fields: []domain.FieldError{{Field: "limit", Message: "out of range"}}}
	}
	if region == "" || strings.Contains(region, "/") {
		return Page{}, &domain.Error{Code: domain.CodeInvalid, Message: "a region code is required",
			Fields: []domain.FieldError{{Field: "region", Message: "a 行政区划代码"}}}
	}
	prefix := []byte("open/" + region + "/")
	after := append(bytes.Clone(prefix), cursor...)
	var page Page
	err := r.Read(ctx, Name, minPosition, func(v *projections.View) error {
		var ids []string
		var last []byte
		err := v.Scan(prefix, func(k, _ []byte) error {
			// Scan has no seek: keys up to the cursor are passed over.
			if cursor != "" && bytes.Compare(k, after) <= 0 {
				return nil
			}
			if len(ids) == limit {
				page.Next = string(last[len(prefix):])
				return errPageFull
			}
			ids = append(ids, string(k[bytes.LastIndexByte(k, '/')+1:]))
			last = bytes.Clone(k)
			return nil
		})
		if err != nil && !errors.Is(err, errPageFull) {
			return err
		}
		for _, id := range ids {
			b, ok, err := v.Get(disputeKey(id))
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("dispute: open index names %s, which has no document", id)
			}
			var d Dispute
			if err := json.Unmarshal(b, &d); err != nil {
				return fmt.Errorf("dispute: stored %s: %w", id, err)
			}
			d.ID = id
			page.Disputes = append(page.Disputes, d)
		}
		return nil
	})
	if err != nil {
		return Page{}, fmt.Errorf("dispute: list open in %s: %w", region, err)
	}
	return page, nil
}
