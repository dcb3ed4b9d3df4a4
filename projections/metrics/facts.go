package metrics

import "github.com/caseledger/caseledger/domain"

// The facts of design 1, each counted once in the cell of its month.

func (f *fold) caseKey(month string) Key {
	return Key{Month: month, Bundle: f.doc.Bundle, Region: f.doc.Region}
}

func (f *fold) caseEnded(status domain.Status) error {
	c, err := cell(f.tx, f.caseKey(month(f.on)))
	if err != nil {
		return err
	}
	add(&c.Cases, status, 1)
	if f.doc.Supplemented {
		c.Supplemented++
	}
	if status == domain.StatusCompleted {
		c.CaseCycle.Add(f.cal.WorkingDaysBetween(f.doc.Submitted, f.on), 1)
	}
	return nil
}

func (f *fold) rating(n int) error {
	c, err := cell(f.tx, f.caseKey(f.doc.RatingMonth))
	if err != nil {
		return err
	}
	add(&c.Ratings, f.doc.Rating, n)
	return nil
}

// settle counts an item of an accepted case reaching outcome; an item
// settled already, or one of a case never accepted, counts nothing.
func (f *fold) settle(code string, outcome domain.Outcome) error {
	if !f.doc.Accepted {
		return nil
	}
	for i := range f.doc.Items {
		if it := &f.doc.Items[i]; it.Code == code && !it.Settled {
			return f.settleItem(it, outcome)
		}
	}
	return nil
}

// settleRest settles every unsettled item, as a case's end does.
func (f *fold) settleRest(outcome domain.Outcome) error {
	if !f.doc.Accepted {
		return nil
	}
	for i := range f.doc.Items {
		if it := &f.doc.Items[i]; !it.Settled {
			if err := f.settleItem(it, outcome); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *fold) settleItem(it *itemDoc, outcome domain.Outcome) error {
	it.Settled = true
	k := f.caseKey(month(f.on))
	k.Department, k.Item = it.Department, it.Code
	c, err := cell(f.tx, k)
	if err != nil {
		return err
	}
	add(&c.Items, outcome, 1)
	if outcome != domain.Approved && outcome != domain.ApprovedTolerance && outcome != domain.Denied {
		return nil
	}
	c.ItemCycle.Add(f.cal.WorkingDaysBetween(it.Dispatched, f.on), 1)
	if f.on.After(it.Due) {
		c.DelayDays += f.cal.WorkingDaysBetween(it.Due, f.on)
	} else {
		c.OnTime++
	}
	if it.Extended {
		c.Extended++
	}
	c.PausedDays += it.PausedDays
	return nil
}
