package http

import (
	"strings"
	"sync"

	"github.com/caseledger/caseledger/domain"
)

// owners are the facts that decide who may see a case (visible): its
// applicant and agent, its region and the departments of its bundle. The
// submission sets them all and no later event changes them.
type owners struct {
	applicant, agent domain.SubjectRef
	region           string
	departments      []string
}

func ownersOf(st *domain.State) *owners {
	o := &owners{applicant: st.Applicant.Ref, region: st.Region, departments: make([]string, len(st.Bundle.Items))}
	if st.Agent != nil {
		o.agent = st.Agent.Ref
	}
	for i, it := range st.Bundle.Items {
		o.departments[i] = it.Department
	}
	return o
}

// ownersCacheSize bounds the cases whose owners are remembered: about 210
// bytes each with the departments and region shared (see intern), 28 MB
// when full (measured). It covers the goal store of issue 5 (100,000
// cases, any of which may be asked about); a miss reads and decodes the
// submission, which carries the whole bundle: a third of a status query.
const ownersCacheSize = 1 << 17

// internLimit bounds the distinct department lists and regions shared
// between entries. They come from the catalogue, so a few hundred at most;
// past the limit values are kept unshared, which costs memory only.
const internLimit = 4096

// ownersCache remembers the owners of recently read cases, so that a query
// served from a read model decides access without reading and decoding the
// case's submission (a third of a status query). Owners never change, so an
// entry never goes stale; only cases that exist are remembered. A full cache
// drops arbitrary entries (map order).
type ownersCache struct {
	mu sync.Mutex
	m  map[string]*owners
	// departments and regions hold one copy of each department list and
	// region, which most cases share, keyed by their value.
	departments map[string][]string
	regions     map[string]string
}

func (c *ownersCache) get(caseID string) (*owners, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.m[caseID]
	return o, ok
}

func (c *ownersCache) put(caseID string, o *owners) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*owners)
		c.departments, c.regions = make(map[string][]string), make(map[string]string)
	}
	o.region = intern(c.regions, o.region, o.region)
	o.departments = intern(c.departments, strings.Join(o.departments, "\x00"), o.departments)
	for k := range c.m {
		if len(c.m) < ownersCacheSize {
			break
		}
		delete(c.m, k)
	}
	c.m[caseID] = o
}

// intern returns the value shared under key, remembering v as that value
// if there is none yet and room for it.
func intern[V any](m map[string]V, key string, v V) V {
	if shared, ok := m[key]; ok {
		return shared
	}
	if len(m) < internLimit {
		m[key] = v
	}
	return v
}
