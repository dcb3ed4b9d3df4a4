package http

import (
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

// ownersCacheSize bounds the cases whose owners are remembered: a few
// hundred bytes each.
const ownersCacheSize = 16384

// ownersCache remembers the owners of recently read cases, so that a query
// served from a read model decides access without reading and decoding the
// case's submission (a third of a status query). Owners never change, so an
// entry never goes stale; only cases that exist are remembered. A full cache
// drops arbitrary entries (map order).
type ownersCache struct {
	mu sync.Mutex
	m  map[string]*owners
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
	}
	for k := range c.m {
		if len(c.m) < ownersCacheSize {
			break
		}
		delete(c.m, k)
	}
	c.m[caseID] = o
}
