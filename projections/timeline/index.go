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

// appendDueKey appends "due/<due>/<region>/<department>/<case>/<item>" to
// dst, each name path-escaped so that '/' only separates. Apply builds keys
// in buffers on its stack: PathEscape returns a name that needs no escaping
// as it is, and the date is written without fmt.
func appendDueKey(dst []byte, due workday.Date, region, dept, caseID, item string) []byte {
	dst = appendISODate(append(dst, duePrefix...), due)
	for _, s := range [...]string{region, dept, caseID, item} {
		dst = appendPathEscaped(append(dst, '/'), s)
	}
	return dst
}

// appendPathEscaped appends url.PathEscape(s). Codes, regions and case IDs
// are letters, digits and '-', which PathEscape keeps: checking for them
// first spares PathEscape's per-byte table (60 ms per 1M events replayed).
func appendPathEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
			return append(dst, url.PathEscape(s)...)
		}
	}
	return append(dst, s...)
}

// appendISODate appends d as d.String() does, YYYY-MM-DD.
func appendISODate(dst []byte, d workday.Date) []byte {
	y, m, day := d.Year, int(d.Month), d.Day
	if d.IsZero() || y < 0 || y > 9999 {
		return append(dst, d.String()...)
	}
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// dueState is what an item's index entry derives from; the case's region
// and ID and the item's code never change once the entry can exist.
type dueState struct {
	indexed         bool
	due, dispatched workday.Date
	dept            string
}

// dueStates appends the dueState of every item to buf, in item table
// order. It is taken before and after each event that may move items, so
// it does not build keys (most such events change one item or none), and
// callers pass a buffer on their stack.
func (d *doc) dueStates(buf []dueState) []dueState {
	for i := range d.fold.items {
		buf = append(buf, d.dueState(i))
	}
	return buf
}

// dueState is the dueState of item i.
func (d *doc) dueState(i int) dueState {
	if !d.fold.indexed(i) {
		return dueState{}
	}
	it := &d.fold.items[i]
	return dueState{indexed: true, due: it.due, dispatched: it.dispatched, dept: d.dept(i)}
}

// appendKey appends the index key of item i in state st, which is
// indexed. The entry's value is the dispatch date, the start StateAt needs.
func (d *doc) appendKey(dst []byte, i int, st dueState) []byte {
	return appendDueKey(dst, st.due, d.h.region.s, st.dept, d.caseID, d.h.items[i].code.s)
}

// dept is the item's department: the dispatch's, else the bundle's.
func (d *doc) dept(i int) string {
	if x := d.fold.items[i].dept; x != (ref{}) {
		return x.s
	}
	return d.h.items[i].dept.s
}

// updateDue replaces the entries of the items whose state changed since
// before (items added since were not indexed).
func (d *doc) updateDue(tx *projections.Tx, before []dueState) error {
	var buf [16]dueState
	for i, st := range d.dueStates(buf[:0]) {
		var was dueState
		if i < len(before) {
			was = before[i]
		}
		if err := d.updateItemDue(tx, i, was, st); err != nil {
			return err
		}
	}
	return nil
}

// updateItemDue moves the entry of item i from state was to state st.
func (d *doc) updateItemDue(tx *projections.Tx, i int, was, st dueState) error {
	if st == was {
		return nil
	}
	var oldBuf, nowBuf [160]byte
	var old, now []byte
	if was.indexed {
		old = d.appendKey(oldBuf[:0], i, was)
	}
	if st.indexed {
		now = d.appendKey(nowBuf[:0], i, st)
	}
	if was.indexed && !bytes.Equal(old, now) {
		if err := tx.Delete(old); err != nil {
			return err
		}
	}
	if !st.indexed || (was.indexed && bytes.Equal(old, now) && was.dispatched == st.dispatched) {
		return nil
	}
	var val [8]byte
	if err := tx.Set(now, appendDate(val[:0], st.dispatched)); err != nil {
		return err
	}
	return widenSpan(tx, st.dispatched.DaysUntil(st.due))
}

// widenSpan keeps the largest number of calendar days between dispatch and
// due of any entry ever indexed: Warnings scans that far past its day. The
// span stays decoded in the Tx (and the runner's object cache), as most
// events that index an item would otherwise read it back.
func widenSpan(tx *projections.Tx, days int) error {
	span := int64(days)
	key := []byte(spanKey)
	v, ok := tx.Object(key)
	if !ok {
		b, found, err := tx.Get(key)
		if err != nil {
			return err
		}
		var old int64
		if found {
			old, _ = binary.Varint(b)
		}
		v = &old
	}
	widest := v.(*int64)
	if span > *widest {
		*widest = span
	}
	// A span Object returned is pending in the Tx already.
	if !ok {
		tx.SetObject(key, widest, encodeSpan)
	}
	return nil
}

func encodeSpan(dst []byte, v any) ([]byte, error) { return binary.AppendVarint(dst, *v.(*int64)), nil }

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
