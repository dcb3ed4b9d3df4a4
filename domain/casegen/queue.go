package casegen

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// action is one thing someone will do at a time: do returns the command,
// or nil when the moment has passed (the case closed, the item settled).
// An action without a case is the next arrival.
type action struct {
	at  int64 // UnixNano, compared often
	seq uint64
	c   *caseSim
	do  func(now time.Time) domain.Command
}

// queue is a min-heap of actions by time, ties in scheduling order, so the
// global order is a function of the seed alone.
type queue []action

func (q queue) less(i, j int) bool {
	return q[i].at < q[j].at || (q[i].at == q[j].at && q[i].seq < q[j].seq)
}

func (q *queue) push(a action) {
	*q = append(*q, a)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *queue) pop() action {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = action{} // drop the references for the collector
	h = h[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}
