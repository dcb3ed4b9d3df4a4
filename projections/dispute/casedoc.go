package dispute

import (
	"hash/maphash"
	"time"
	"unique"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// caseDoc is what the fold keeps of a case to place disputes (design 2).
// It stays decoded in the runner's object cache between batches, and the
// garbage collector scans every cached case at each cycle, so it is a few
// flat tables: the last events hold no pointer at all (names are indexes
// into the case's own name table, types into typeNames), where maps of
// strings to *Ref were a sixth of a replay's live heap. Entries are kept in
// the order first seen, which depends only on the log, so equal folds
// encode to equal bytes without sorting.
//
// An event touches a case that is rarely still in the processor's caches,
// so a lookup reads as few lines as it can: a string is found once per
// event by its hash (nameHashes) and one comparison, and from then on the
// department table and the last events are searched by index, never by
// string.
type caseDoc struct {
	region string
	bundle string
	// depts maps item codes to departments, both indexes into names.
	depts []itemDept
	// names are the item codes, departments and steps the tables refer
	// to, and nameHashes their hashes (maphash under hashSeed), apart: a
	// search reads 8 bytes a name.
	names      []string
	nameHashes []uint64
	// last holds the last event of each item, step and department, and
	// keys their lastKey at the same index, apart: a search reads 8 bytes
	// an entry.
	keys     []uint64
	last     []caseRef
	ended    caseRef
	hasEnded bool
	// rating is the ID of the open bad rating's dispute.
	rating string
}

type itemDept struct{ code, dept uint32 }

// lastKind tells what a last event is the last event of.
type lastKind byte

const (
	lastItem lastKind = iota + 1
	lastDept
	lastStep
)

// A last event's key packs its kind, its name (the item code, or the
// department) and its step (of a lastStep, under item name): the step's
// name index plus one, 0 for none. Each index takes up to 28 bits, far
// more names than a case has.
const (
	keyBits = 28
	noStep  = 0
)

func lastKey(kind lastKind, name, step uint32) uint64 {
	return uint64(kind)<<(2*keyBits) | uint64(name)<<keyBits | uint64(step)
}

// splitKey returns the parts of a lastKey.
func splitKey(k uint64) (kind lastKind, name, step uint32) {
	const mask = 1<<keyBits - 1
	return lastKind(k >> (2 * keyBits)), uint32(k>>keyBits) & mask, uint32(k) & mask
}

// caseRef is a Ref as the fold keeps it: the event ID as its 16 bytes, the
// type as its index in typeNames and the day packed, made strings and a
// Date only for the disputes that refer to it. It takes 40 bytes, where
// one with a Date took 56.
type caseRef struct {
	version uint64
	id      uuid.UUID
	on      day
	typ     uint8
}

// day is a workday.Date packed into one integer, day, month and year from
// the low bits up; the zero Date is 0. Every Date that DateOf or a stored
// doc gives (month 1 to 12, day 1 to 31) round-trips: the year keeps the
// remaining 55 bits, sign included.
type day int64

func dayOf(d workday.Date) day {
	return day(int64(d.Year)<<9 | int64(d.Month&15)<<5 | int64(d.Day&31))
}

func (d day) date() workday.Date {
	return workday.Date{Year: int(d >> 9), Month: time.Month(d >> 5 & 15), Day: int(d & 31)}
}

// typeNames are the domain's event types, typeCodes their indexes; both
// are fixed at start. Only the fold's memory uses the codes: the stored
// format has the names.
var (
	typeNames = domain.EventTypes()
	// typeCodes is ready before any init function runs (dispute.go's
	// uses it).
	typeCodes = func() map[string]uint8 {
		if len(typeNames) > 255 {
			panic("dispute: more than 255 event types")
		}
		m := make(map[string]uint8, len(typeNames))
		for i, t := range typeNames {
			m[t] = uint8(i)
		}
		return m
	}()
)

func (r caseRef) export() Ref {
	return Ref{Version: r.version, EventID: r.id.String(), Type: typeNames[r.typ], On: r.on.date()}
}

// hashSeed is fixed at start: hashes are never stored.
var hashSeed = maphash.MakeSeed()

// lookup returns the index of s in the name table, if it is there, and
// the hash of s.
func (c *caseDoc) lookup(s string) (uint32, uint64, bool) {
	h := maphash.String(hashSeed, s)
	for i, x := range c.nameHashes {
		if x == h && c.names[i] == s {
			return uint32(i), h, true
		}
	}
	return 0, h, false
}

// name returns the index of s in the name table, adding it if new.
func (c *caseDoc) name(s string) uint32 {
	i, h, ok := c.lookup(s)
	if ok {
		return i
	}
	c.names = append(c.names, shared(s))
	c.nameHashes = append(c.nameHashes, h)
	return uint32(len(c.names) - 1)
}

// shared returns the one copy of s that every caseDoc holds. Names are
// catalogue codes, departments and steps, and regions and bundles too: a
// few hundred values, which recur across cases. A cached caseDoc keeping
// the copies its events decoded was that many more objects for the
// collector to mark, and a lookup compared the event's string with a copy
// rarely in the processor's caches. Identifiers unique to a case or a
// person must not come here: unique.Make keeps a weak handle and a cleanup
// per value. The same change was reverted once (c6b2334, f751f02) after
// four open-loop command runs with p99 of 49-620 ms, which the request log
// put at garbage collections; with it again, five runs at 5,000 commands/s
// gave p99 of 14.8-53.3 ms and no pause over 108 ms, the binaries without
// it 39-47 ms on the same day, so those stalls had another cause.
func shared(s string) string { return unique.Make(s).Value() }

// stepName is the step part of a lastKey for step s, adding it if new.
func (c *caseDoc) stepName(s string) uint32 {
	if s == "" {
		return noStep
	}
	return c.name(s) + 1
}

// dept returns the department of the item with name index code, if the
// case knows it.
func (c *caseDoc) dept(code uint32) (uint32, bool) {
	for i := range c.depts {
		if c.depts[i].code == code {
			return c.depts[i].dept, true
		}
	}
	return 0, false
}

func (c *caseDoc) setDept(code, dept uint32) {
	for i := range c.depts {
		if c.depts[i].code == code {
			c.depts[i].dept = dept
			return
		}
	}
	c.depts = append(c.depts, itemDept{code: code, dept: dept})
}

// find returns the last event under key, if any.
func (c *caseDoc) find(key uint64) *caseRef {
	for i, k := range c.keys {
		if k == key {
			return &c.last[i]
		}
	}
	return nil
}

// findNamed is find for names given as strings, which the case may not
// know: a step of "" is none.
func (c *caseDoc) findNamed(kind lastKind, name, step string) *caseRef {
	n, _, ok := c.lookup(name)
	if !ok {
		return nil
	}
	s := uint32(noStep)
	if step != "" {
		if s, _, ok = c.lookup(step); !ok {
			return nil
		}
		s++
	}
	return c.find(lastKey(kind, n, s))
}

// setLast makes r the last event under key.
func (c *caseDoc) setLast(key uint64, r caseRef) {
	if p := c.find(key); p != nil {
		*p = r
		return
	}
	c.keys = append(c.keys, key)
	c.last = append(c.last, r)
}
