package timeline

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections"
)

// ListQuery selects a page of running items.
type ListQuery struct {
	// On is the day asked about (today, usually).
	On workday.Date
	// Region and Department, when set, keep only items of that region and
	// department.
	Region     string
	Department string
	// Cursor is the Next of the previous page, empty for the first.
	Cursor string
	// Limit bounds the page: DefaultLimit when 0, at most MaxLimit.
	Limit int
}

// Page sizes.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// ListedItem is one running item of a list.
type ListedItem struct {
	CaseID       string
	Item         string
	Region       string
	Department   string
	DispatchedOn workday.Date
	Due          workday.Date
	State        workday.State
	DaysLeft     int
}

// ItemPage is a page of a list, in due date order, then region,
// department, case and item.
type ItemPage struct {
	Items    []ListedItem
	Position uint64 // the log position the page reflects
	// Next is the cursor of the following page, empty on the last.
	Next string
}

// Overdue lists the items running on q.On past their due date (invariant
// 6): a scan of the due index up to the day before q.On.
func Overdue(ctx context.Context, r *projections.Runner, minPosition uint64, q ListQuery, cal *workday.Calendar) (ItemPage, error) {
	pol := domain.DefaultPolicy().Warning
	upTo := func(*projections.View) (workday.Date, error) { return q.On.AddDays(-1), nil }
	return listDue(ctx, r, minPosition, q, workday.Date{}, upTo, cal, pol, workday.Overdue)
}

// Warnings lists the items running on q.On that the warning policy (nil:
// the domain's default) turns yellow. Their due dates lie between q.On and
// the later of the policy's DaysLeft and the widest dispatch-to-due span
// indexed: an item due later started after q.On, so it has used no time.
func Warnings(ctx context.Context, r *projections.Runner, minPosition uint64, q ListQuery, cal *workday.Calendar, policy *workday.WarningPolicy) (ItemPage, error) {
	pol := domain.DefaultPolicy().Warning
	if policy != nil {
		pol = *policy
	}
	if err := pol.Validate(); err != nil {
		return ItemPage{}, &domain.Error{Code: domain.CodeInvalid, Message: err.Error()}
	}
	upTo := func(v *projections.View) (workday.Date, error) {
		to := cal.AddWorkingDays(q.On, pol.DaysLeft+1)
		b, ok, err := v.Get([]byte(spanKey))
		if err != nil || !ok {
			return to, err
		}
		span, n := binary.Varint(b)
		if n <= 0 {
			return to, fmt.Errorf("%w: %s", errCorrupt, spanKey)
		}
		if far := q.On.AddDays(int(span)); far.After(to) {
			to = far
		}
		return to, nil
	}
	return listDue(ctx, r, minPosition, q, q.On, upTo, cal, pol, workday.Warning)
}

var errStop = errors.New("stop")

// listDue pages through the due index from day from (zero: the start) up
// to the day upTo reads from the same view, keeping the items in state
// want on q.On.
func listDue(ctx context.Context, r *projections.Runner, minPosition uint64, q ListQuery, from workday.Date,
	upTo func(*projections.View) (workday.Date, error), cal *workday.Calendar, pol workday.WarningPolicy,
	want workday.State) (ItemPage, error) {
	if !q.On.Valid() {
		return ItemPage{}, domain.Errorf(domain.CodeInvalid, "the day asked about is not a valid date")
	}
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return ItemPage{}, err
	}
	after, err := decodeCursor(q.Cursor, duePrefix)
	if err != nil {
		return ItemPage{}, err
	}
	var page ItemPage
	var last string
	err = r.Read(ctx, Name, minPosition, func(v *projections.View) error {
		page.Position = v.Position()
		to, err := upTo(v)
		if err != nil {
			return err
		}
		return scanDue(v, from, to, after, func(key string, val []byte) error {
			it, ok := listed(key, val)
			if !ok {
				return fmt.Errorf("%w: due index key %q", errCorrupt, key)
			}
			if (q.Region != "" && it.Region != q.Region) || (q.Department != "" && it.Department != q.Department) {
				return nil
			}
			it.State, it.DaysLeft = cal.StateAt(it.DispatchedOn, it.Due, q.On, pol)
			if it.State != want {
				return nil
			}
			if len(page.Items) == limit {
				page.Next = base64.RawURLEncoding.EncodeToString([]byte(last))
				return errStop
			}
			page.Items, last = append(page.Items, it), key
			return nil
		})
	})
	if err != nil && !errors.Is(err, errStop) {
		return ItemPage{}, err
	}
	return page, nil
}

func listed(key string, val []byte) (ListedItem, bool) {
	p, ok := splitKey(key, duePrefix)
	if !ok || len(p) != 5 {
		return ListedItem{}, false
	}
	due, err := workday.ParseDate(p[0])
	r := newReader(val)
	it := ListedItem{Due: due, Region: p[1], Department: p[2], CaseID: p[3], Item: p[4], DispatchedOn: r.date()}
	return it, err == nil && r.Err == nil
}

// scanDue calls fn for the due index keys after the key after (or from day
// from, or from the start when both are zero) up to day to, in key order.
// The runner scans whole prefixes only, so a page that starts mid-way
// scans the rest of its day, then the days left in its month one by one,
// then whole months: never the keys before it.
func scanDue(v *projections.View, from, to workday.Date, after string, fn func(key string, val []byte) error) error {
	visit := func(key, val []byte) error {
		k := string(key)
		if k <= after {
			return nil
		}
		if d, err := workday.ParseDate(k[len(duePrefix) : len(duePrefix)+10]); err != nil || d.After(to) {
			if err != nil {
				return fmt.Errorf("%w: due index key %q", errCorrupt, k)
			}
			return errStop
		}
		return fn(k, val)
	}
	if after != "" {
		from, _ = workday.ParseDate(after[len(duePrefix) : len(duePrefix)+10])
	}
	if from.IsZero() {
		return v.Scan([]byte(duePrefix), visit)
	}
	d := from
	for ; d.Month == from.Month && !d.After(to); d = d.AddDays(1) {
		if err := v.Scan([]byte(duePrefix+d.String()+"/"), visit); err != nil {
			return err
		}
	}
	if d.After(to) {
		return nil
	}
	for m := workday.NewDate(d.Year, d.Month, 1); !m.After(to); m = workday.NewDate(m.Year, m.Month+1, 1) {
		if err := v.Scan([]byte(duePrefix+m.String()[:8]), visit); err != nil {
			return err
		}
	}
	return nil
}

func validDate(s string) bool {
	_, err := workday.ParseDate(s)
	return err == nil
}

func pageLimit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultLimit, nil
	case n < 0 || n > MaxLimit:
		return 0, domain.Errorf(domain.CodeInvalid, "limit %d is outside [1, %d]", n, MaxLimit)
	}
	return n, nil
}

// decodeCursor returns the key a cursor names, checking it is one of the
// index it pages through.
func decodeCursor(c, prefix string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	k := string(b)
	if err != nil || !strings.HasPrefix(k, prefix) {
		return "", domain.Errorf(domain.CodeInvalid, "malformed cursor")
	}
	if prefix == duePrefix {
		if p, ok := splitKey(k, duePrefix); !ok || len(p) != 5 || len(p[0]) != 10 || !validDate(p[0]) {
			return "", domain.Errorf(domain.CodeInvalid, "malformed cursor")
		}
	}
	return k, nil
}

// OpenDuban is a 督办 not closed yet.
type OpenDuban struct {
	CaseID    string
	DubanID   string
	Region    string
	Item      string    // empty for the whole case
	IssuedAt  time.Time // to the second
	Reason    string
	Reference string
}

// DubanPage is a page of open 督办, by region, case and 督办 ID.
type DubanPage struct {
	Dubans   []OpenDuban
	Position uint64
	Next     string // empty on the last page
}

// OpenDubans lists the open 督办 of region (all regions when empty), a
// page of at most limit (0: DefaultLimit) after cursor. A page skips the
// region's keys before its cursor: open 督办 are few (a supervisor issues
// one on a fraction of overdue items and closes it).
func OpenDubans(ctx context.Context, r *projections.Runner, minPosition uint64, region, cursor string, limit int) (DubanPage, error) {
	n, err := pageLimit(limit)
	if err != nil {
		return DubanPage{}, err
	}
	after, err := decodeCursor(cursor, dubanPrefix)
	if err != nil {
		return DubanPage{}, err
	}
	prefix := dubanPrefix
	if region != "" {
		prefix += url.PathEscape(region) + "/"
	}
	var page DubanPage
	var last string
	err = r.Read(ctx, Name, minPosition, func(v *projections.View) error {
		page.Position = v.Position()
		return v.Scan([]byte(prefix), func(key, val []byte) error {
			k := string(key)
			if k <= after {
				return nil
			}
			p, ok := splitKey(k, dubanPrefix)
			var dv dubanValue
			if !ok || len(p) != 3 || json.Unmarshal(val, &dv) != nil {
				return fmt.Errorf("%w: 督办 index key %q", errCorrupt, k)
			}
			if len(page.Dubans) == n {
				page.Next = base64.RawURLEncoding.EncodeToString([]byte(last))
				return errStop
			}
			page.Dubans = append(page.Dubans, OpenDuban{Region: p[0], CaseID: p[1], DubanID: p[2], Item: dv.Item,
				IssuedAt: time.Unix(dv.IssuedAt, 0).UTC(), Reason: dv.Reason, Reference: dv.Reference})
			last = k
			return nil
		})
	})
	if err != nil && !errors.Is(err, errStop) {
		return DubanPage{}, err
	}
	return page, nil
}
