package metrics

import (
	"bytes"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// Cell holds the counters of one (month, bundle, region, department, item)
// (design 2). Case fields are set only in cells without department and
// item, item fields only in the others.
type Cell struct {
	// Cases ended in the month, by final status (completed, refused,
	// withdrawn, terminated); Supplemented of them had a supplement notice.
	Cases        map[domain.Status]int `json:"c,omitempty"`
	Supplemented int                   `json:"s,omitempty"`
	// CaseCycle is submission to completion, completed cases only.
	CaseCycle Histogram `json:"cc,omitzero"`
	// Ratings counts the ratings given in the month, less those voided by an
	// upheld appeal.
	Ratings map[domain.RatingLabel]int `json:"r,omitempty"`

	// Items settled in the month by outcome: the domain's outcomes, and
	// "terminated" for items cut short by a case's termination.
	Items map[domain.Outcome]int `json:"i,omitempty"`
	// ItemCycle is dispatch to decision, decided items only; the fields
	// below count decided items too.
	ItemCycle Histogram `json:"ic,omitzero"`
	OnTime    int       `json:"ot,omitempty"`
	Extended  int       `json:"x,omitempty"`
	// PausedDays and DelayDays are working days summed over the items.
	PausedDays int `json:"p,omitempty"`
	DelayDays  int `json:"dl,omitempty"`
}

// OutcomeTerminated is the item outcome of an item its case's termination
// cut short.
const OutcomeTerminated domain.Outcome = "terminated"

// Decided is the number of decided items (approved, with tolerance or
// denied).
func (c *Cell) Decided() int {
	return c.Items[domain.Approved] + c.Items[domain.ApprovedTolerance] + c.Items[domain.Denied]
}

// Merge adds o's counters to c.
func (c *Cell) Merge(o *Cell) {
	c.Cases = mergeCounts(c.Cases, o.Cases)
	c.Supplemented += o.Supplemented
	c.CaseCycle.Merge(o.CaseCycle)
	c.Ratings = mergeCounts(c.Ratings, o.Ratings)
	c.Items = mergeCounts(c.Items, o.Items)
	c.ItemCycle.Merge(o.ItemCycle)
	c.OnTime += o.OnTime
	c.Extended += o.Extended
	c.PausedDays += o.PausedDays
	c.DelayDays += o.DelayDays
}

func mergeCounts[K comparable](a, b map[K]int) map[K]int {
	if len(b) == 0 {
		return a
	}
	if a == nil {
		a = map[K]int{}
	}
	for k, n := range b {
		a[k] += n
	}
	return a
}

// add adds n to m[k], deleting the entry that reaches zero, in two map
// operations (it took three, for every fact counted).
func add[K comparable](m *map[K]int, k K, n int) {
	if *m == nil {
		*m = map[K]int{}
	}
	if v := (*m)[k] + n; v != 0 {
		(*m)[k] = v
	} else {
		delete(*m, k)
	}
}

// Key locates a cell. Codes and months never hold '/', so the stored key
// "cell/<month>/<bundle>/<region>/<department>/<item>" splits back.
type Key struct {
	Month, Bundle, Region, Department, Item string
}

// appendTo appends k's stored key to dst.
func (k *Key) appendTo(dst []byte) []byte {
	dst = append(append(dst, "cell/"...), k.Month...)
	for _, s := range [...]string{k.Bundle, k.Region, k.Department, k.Item} {
		dst = append(append(dst, '/'), s...)
	}
	return dst
}

func parseKey(b []byte) (Key, bool) {
	parts := strings.Split(string(b), "/")
	if len(parts) != 6 || parts[0] != "cell" {
		return Key{}, false
	}
	return Key{Month: parts[1], Bundle: parts[2], Region: parts[3], Department: parts[4], Item: parts[5]}, true
}

// cell returns the cell at k for changing in this batch. The key is built
// on the stack: most cells are still in the Tx (or its cache), and a cell
// Object returns is pending again, so only a new or evicted one needs a
// key on the heap.
func cell(tx *projections.Tx, k Key) (*Cell, error) {
	var kb [160]byte
	key := k.appendTo(kb[:0])
	if v, ok := tx.Object(key); ok {
		return v.(*Cell), nil
	}
	heapKey := bytes.Clone(key)
	c, err := projections.LoadJSON[Cell](tx, heapKey)
	if err != nil {
		return nil, err
	}
	tx.SetObject(heapKey, c, projections.EncodeJSON)
	return c, nil
}
