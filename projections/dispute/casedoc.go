package dispute

import (
	"hash/maphash"

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
type caseDoc struct {
	region string
	bundle string
	// depts maps item codes to departments.
	depts []itemDept
	// names are the item codes, departments and steps last refers to.
	names []string
	// last holds the last event of each item, step and department, and
	// hashes their lastHash, apart: a search reads 8 bytes an entry.
	last     []lastEvent
	hashes   []uint64
	ended    caseRef
	hasEnded bool
	// rating is the ID of the open bad rating's dispute.
	rating string
}

type itemDept struct{ code, dept string }

// lastKind tells what a lastEvent is the last event of.
type lastKind byte

const (
	lastItem lastKind = iota + 1
	lastDept
	lastStep
)

type lastEvent struct {
	kind lastKind
	// name (the item code, or the department) and step (of a lastStep,
	// under item name; "" otherwise) index caseDoc.names.
	name, step uint16
	ref        caseRef
}

// caseRef is a Ref as the fold keeps it: the event ID as its 16 bytes and
// the type as its index in typeNames, made strings only for the disputes
// that refer to it.
type caseRef struct {
	version uint64
	id      uuid.UUID
	typ     uint8
	on      workday.Date
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
	return Ref{Version: r.version, EventID: r.id.String(), Type: typeNames[r.typ], On: r.on}
}

// A search compares lastHash of kind, name and step first, since names are
// mostly item codes of one length. hashSeed is fixed at start: hashes are
// never stored.
var hashSeed = maphash.MakeSeed()

func lastHash(kind lastKind, name string, step domain.Step) uint64 {
	// Two one-shot hashes mixed: a streaming maphash.Hash cost twice as
	// much, for names of a few bytes. The kind and the step's hash are
	// folded in with odd multipliers, so that (kind, name, step) triples
	// differing in any part differ in the sum but for chance.
	h := maphash.String(hashSeed, name) + uint64(kind)*0x9e3779b97f4a7c15
	if step != "" {
		h ^= maphash.String(hashSeed, string(step)) * 0xbf58476d1ce4e5b9
	}
	return h
}

// dept returns the department of item code, if the case knows it.
func (c *caseDoc) dept(code string) (string, bool) {
	for i := range c.depts {
		if c.depts[i].code == code {
			return c.depts[i].dept, true
		}
	}
	return "", false
}

func (c *caseDoc) setDept(code, dept string) {
	for i := range c.depts {
		if c.depts[i].code == code {
			c.depts[i].dept = dept
			return
		}
	}
	c.depts = append(c.depts, itemDept{code: code, dept: dept})
}

// name returns the index of s in the name table, adding it if new.
func (c *caseDoc) name(s string) uint16 {
	for i, x := range c.names {
		if x == s {
			return uint16(i)
		}
	}
	c.names = append(c.names, s)
	return uint16(len(c.names) - 1)
}

// find returns the last event of the item, department or step, if any.
func (c *caseDoc) find(kind lastKind, name string, step domain.Step) *caseRef {
	return c.findHash(lastHash(kind, name, step), kind, name, step)
}

func (c *caseDoc) findHash(h uint64, kind lastKind, name string, step domain.Step) *caseRef {
	for i, x := range c.hashes {
		if l := &c.last[i]; x == h && l.kind == kind && c.names[l.name] == name && c.names[l.step] == string(step) {
			return &l.ref
		}
	}
	return nil
}

// setLast makes r the last event of the item, department or step.
func (c *caseDoc) setLast(kind lastKind, name string, step domain.Step, r caseRef) {
	h := lastHash(kind, name, step)
	if p := c.findHash(h, kind, name, step); p != nil {
		*p = r
		return
	}
	c.add(h, lastEvent{kind: kind, name: c.name(name), step: c.name(string(step)), ref: r})
}

func (c *caseDoc) add(h uint64, l lastEvent) {
	c.last = append(c.last, l)
	c.hashes = append(c.hashes, h)
}
