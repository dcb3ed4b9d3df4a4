package timeline

import (
	"encoding/binary"
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// Dictionary keys (invariant 3).
const (
	dictByString = "d/s/"
	dictByID     = "d/i/"
	dictNext     = "d/n"
	// maxInterned bounds the strings worth interning: longer ones are
	// rarely repeated word for word, so they are stored inline.
	maxInterned = 64
)

func dictIDKey(id uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(dictByID), id)
}

// batchDict is the dictionary's decoded state, kept in the Tx under the
// counter's key: the counter, which is all that is stored, and the entries
// looked up or created. The runner's object cache keeps it across batches
// (it is used by nearly every event), so it grows up to the stored
// dictionary; that is safe because entries never change once written, and
// the runner drops the cache when a batch fails, so it never holds an entry
// that was not committed.
type batchDict struct {
	next uint32
	// ids holds the ref of each string looked up or created, whose s is
	// the first copy seen: docs share it rather than each keeping the
	// copy its event decoded, fewer objects for the collector to mark.
	ids   map[string]ref
	names map[uint32]string
	// actors are the refs of officers by person ID, looked up without
	// building their stored string: nearly every event has one. Keyed by
	// the whole Actor, a lookup hashed and compared four strings; by the
	// ID it hashes one, and compares the other three with the actor the
	// entry stands for, the first seen with that ID. Others with the same
	// ID (the deadline watcher acts in every region) are in sharedIDs.
	actors    map[string]officer
	sharedIDs map[domain.Actor]ref
}

// officer is an actor and its ref.
type officer struct {
	a domain.Actor
	r ref
}

func encodeBatchDict(dst []byte, v any) ([]byte, error) {
	return binary.AppendUvarint(dst, uint64(v.(*batchDict).next)), nil
}

func loadBatchDict(tx *projections.Tx) (*batchDict, error) {
	key := []byte(dictNext)
	if v, ok := tx.Object(key); ok {
		return v.(*batchDict), nil
	}
	d := &batchDict{ids: map[string]ref{}, names: map[uint32]string{}, actors: map[string]officer{},
		sharedIDs: map[domain.Actor]ref{}}
	b, ok, err := tx.Get(key)
	if err != nil {
		return nil, err
	}
	if ok {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, fmt.Errorf("%w: dictionary counter", errCorrupt)
		}
		d.next = uint32(v)
	}
	tx.SetObject(key, d, encodeBatchDict)
	return d, nil
}

// interner interns strings through the batch's dictionary, which Apply
// looks up in the Tx once per event rather than once per string.
type interner struct {
	tx *projections.Tx
	d  *batchDict
}

func newInterner(tx *projections.Tx) (interner, error) {
	d, err := loadBatchDict(tx)
	return interner{tx: tx, d: d}, err
}

// intern returns the ref of s: the zero ref for "", an inline one for long
// strings, otherwise its dictionary entry, created on first use.
func (in interner) intern(s string) (ref, error) {
	switch {
	case s == "":
		return ref{}, nil
	case len(s) > maxInterned:
		return ref{s: s}, nil
	}
	d := in.d
	if r, ok := d.ids[s]; ok {
		return r, nil
	}
	key := []byte(dictByString + s)
	b, ok, err := in.tx.Get(key)
	if err != nil {
		return ref{}, err
	}
	var id uint32
	if ok {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return ref{}, fmt.Errorf("%w: dictionary entry %q", errCorrupt, s)
		}
		id = uint32(v)
	} else {
		id = d.next
		d.next++
		if err := in.tx.Set(key, binary.AppendUvarint(nil, uint64(id))); err != nil {
			return ref{}, err
		}
		if err := in.tx.Set(dictIDKey(id), []byte(s)); err != nil {
			return ref{}, err
		}
	}
	r := ref{id: id, s: s, dict: true}
	d.ids[s], d.names[id] = r, s
	return r, nil
}

// actor returns intern(actorString(a)), remembered by person ID.
func (in interner) actor(a domain.Actor) (ref, error) {
	o, ok := in.d.actors[a.PersonID]
	if ok && o.a.Role == a.Role && o.a.Unit == a.Unit && o.a.Region == a.Region {
		return o.r, nil
	}
	if r, shared := in.d.sharedIDs[a]; shared {
		return r, nil
	}
	r, err := in.intern(actorString(a))
	if err != nil {
		return ref{}, err
	}
	if ok {
		in.d.sharedIDs[a] = r
	} else {
		in.d.actors[a.PersonID] = officer{a: a, r: r}
	}
	return r, nil
}

// inline returns the ref of s stored in place: for identifiers that are
// unique to one case and would only grow the dictionary.
func inline(s string) ref {
	if s == "" {
		return ref{}
	}
	return ref{s: s}
}

// getter is what a Tx and a View have in common.
type getter interface {
	Get(key []byte) ([]byte, bool, error)
}

// resolver fills in the strings of dictionary refs, remembering what it
// looked up in cache.
type resolver struct {
	g     getter
	cache map[uint32]string
}

// txResolver resolves through the batch's dictionary.
func txResolver(tx *projections.Tx) (*resolver, error) {
	d, err := loadBatchDict(tx)
	if err != nil {
		return nil, err
	}
	return &resolver{g: tx, cache: d.names}, nil
}

func (r *resolver) resolve(x *ref) error {
	if !x.dict || x.s != "" {
		return nil
	}
	if s, ok := r.cache[x.id]; ok {
		x.s = s
		return nil
	}
	b, ok, err := r.g.Get(dictIDKey(x.id))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: no dictionary entry %d", errCorrupt, x.id)
	}
	if r.cache == nil {
		r.cache = map[uint32]string{}
	}
	x.s = string(b)
	r.cache[x.id] = x.s
	return nil
}

func (r *resolver) str(x ref) (string, error) {
	err := r.resolve(&x)
	return x.s, err
}
