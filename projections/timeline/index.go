package timeline

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections"
)

// Index keys (invariants 6 and 7).
const (
	duePrefix   = "due/"
	dubanPrefix = "duban/"
	spanKey     = "meta/span"
)

type dueEntry struct {
	key string
	val []byte
}

// dueKey is "due/<due>/<region>/<department>/<case>/<item>", each name
// path-escaped so that '/' only separates.
func dueKey(due workday.Date, region, dept, caseID, item string) string {
	return duePrefix + due.String() + "/" + url.PathEscape(region) + "/" + url.PathEscape(dept) + "/" +
		url.PathEscape(caseID) + "/" + url.PathEscape(item)
}

// dueEntries lists the index entries the case should have now; the value
// is the dispatch date, the start StateAt needs.
func (d *doc) dueEntries() []dueEntry {
	var out []dueEntry
	for i := range d.fold.items {
		if !d.fold.indexed(i) {
			continue
		}
		it := &d.fold.items[i]
		out = append(out, dueEntry{
			key: dueKey(it.due, d.h.region.s, d.dept(i), d.caseID, d.h.items[i].code.s),
			val: appendDate(nil, it.dispatched),
		})
	}
	return out
}

// dept is the item's department: the dispatch's, else the bundle's.
func (d *doc) dept(i int) string {
	if x := d.fold.items[i].dept; x != (ref{}) {
		return x.s
	}
	return d.h.items[i].dept.s
}

// updateDue replaces the entries in before by the case's current ones.
func (d *doc) updateDue(tx *projections.Tx, before []dueEntry) error {
	after := d.dueEntries()
	for _, b := range before {
		if !containsEntry(after, b.key, nil) {
			if err := tx.Delete([]byte(b.key)); err != nil {
				return err
			}
		}
	}
	for _, a := range after {
		if containsEntry(before, a.key, a.val) {
			continue
		}
		if err := tx.Set([]byte(a.key), a.val); err != nil {
			return err
		}
		if err := widenSpan(tx, a); err != nil {
			return err
		}
	}
	return nil
}

func containsEntry(es []dueEntry, key string, val []byte) bool {
	for _, e := range es {
		if e.key == key && (val == nil || bytes.Equal(e.val, val)) {
			return true
		}
	}
	return false
}

// widenSpan keeps the largest number of calendar days between dispatch and
// due of any entry ever indexed: Warnings scans that far past its day.
func widenSpan(tx *projections.Tx, e dueEntry) error {
	due, _ := workday.ParseDate(e.key[len(duePrefix) : len(duePrefix)+10])
	r := &reader{b: e.val}
	span := r.date().DaysUntil(due)
	b, ok, err := tx.Get([]byte(spanKey))
	if err != nil {
		return err
	}
	if ok {
		if old, n := binary.Varint(b); n > 0 && int64(span) <= old {
			return nil
		}
	}
	return tx.Set([]byte(spanKey), binary.AppendVarint(nil, int64(span)))
}

// dubanValue is the stored part of an open 督办.
type dubanValue struct {
	Item      string `json:"i,omitempty"`
	IssuedAt  int64  `json:"t"`
	Reason    string `json:"r"`
	Reference string `json:"f"`
}

func dubanKey(region, caseID, dubanID string) []byte {
	return []byte(dubanPrefix + url.PathEscape(region) + "/" + url.PathEscape(caseID) + "/" + url.PathEscape(dubanID))
}

// updateDuban keeps one key per open 督办 (invariant 7).
func (d *doc) updateDuban(tx *projections.Tx, ev domain.Event) error {
	switch e := ev.(type) {
	case *domain.DubanIssued:
		v, err := json.Marshal(dubanValue{Item: e.Item, IssuedAt: e.OccurredAt.Unix(), Reason: e.Reason, Reference: e.Reference})
		if err != nil {
			return err
		}
		return tx.Set(dubanKey(d.h.region.s, d.caseID, e.DubanID), v)
	case *domain.DubanClosed:
		return tx.Delete(dubanKey(d.h.region.s, d.caseID, e.DubanID))
	}
	return nil
}

// splitKey returns the unescaped names after the prefix of an index key.
func splitKey(key, prefix string) ([]string, bool) {
	parts := strings.Split(strings.TrimPrefix(key, prefix), "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}
