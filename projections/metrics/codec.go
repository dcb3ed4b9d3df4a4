package metrics

import (
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/internal/bin"
)

// caseFormat is the first byte of a stored caseDoc (Version 2). It was JSON
// before, rewritten for every batch its case is in: JSON encoding and
// decoding (this document, the cells and dispute's documents together) was
// about 5 % of the CPU of replaying the four read models.
const caseFormat = 1

// encodeCase appends d's stored form: the fields in declaration order, an
// item's fields likewise, booleans as flags.
func encodeCase(dst []byte, v any) ([]byte, error) {
	d := v.(*caseDoc)
	w := &bin.Writer{B: dst}
	w.Byte(caseFormat)
	w.Str(d.Bundle)
	w.Str(d.Region)
	w.Date(d.Submitted)
	w.Flag(d.Accepted)
	w.Flag(d.Supplemented)
	w.Uvarint(uint64(len(d.Items)))
	for i := range d.Items {
		it := &d.Items[i]
		w.Str(it.Code)
		w.Str(it.Department)
		w.Date(it.Dispatched)
		w.Date(it.Due)
		w.Flag(it.Settled)
		w.Date(it.PausedFrom)
		w.Flag(it.Supplement)
		w.Uvarint(uint64(it.PausedDays))
		w.Flag(it.Extended)
	}
	w.Str(d.RatingMonth)
	w.Str(string(d.Rating))
	return w.B, nil
}

// decodeCase fills d from what encodeCase wrote.
func decodeCase(b []byte, d *caseDoc) error {
	r := &bin.Reader{B: b}
	if r.Byte() != caseFormat {
		return fmt.Errorf("%w: case format", bin.ErrCorrupt)
	}
	d.Bundle, d.Region, d.Submitted = r.Str(), r.Str(), r.Date()
	d.Accepted, d.Supplemented = r.Flag(), r.Flag()
	if n := r.Count(); n > 0 {
		d.Items = make([]itemDoc, n)
	}
	for i := range d.Items {
		it := &d.Items[i]
		it.Code, it.Department = r.Str(), r.Str()
		it.Dispatched, it.Due, it.Settled = r.Date(), r.Date(), r.Flag()
		it.PausedFrom, it.Supplement = r.Date(), r.Flag()
		it.PausedDays, it.Extended = int(r.Uvarint()), r.Flag()
	}
	d.RatingMonth, d.Rating = r.Str(), domain.RatingLabel(r.Str())
	return r.End()
}

// loadCase returns the caseDoc under key for changing in this batch, and
// whether it is pending in tx already (Object returned it): the one an
// earlier event (or the object cache) left in tx, else the stored one, else
// a new one.
// first says the event is the case's first: no earlier event of the case
// wrote its key, so the store is not asked (for a case new to a batch,
// most often in a replay, that read found nothing).
func loadCase(tx *projections.Tx, key []byte, first bool) (*caseDoc, bool, error) {
	if v, ok := tx.Object(key); ok {
		return v.(*caseDoc), true, nil
	}
	d := &caseDoc{}
	if first {
		return d, false, nil
	}
	b, ok, err := tx.Get(key)
	if err != nil || !ok {
		return d, false, err
	}
	if err := decodeCase(b, d); err != nil {
		return nil, false, fmt.Errorf("metrics: stored %s: %w", string(key), err)
	}
	return d, false, nil
}
