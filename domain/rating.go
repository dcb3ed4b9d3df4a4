package domain

import (
	"slices"

	"github.com/caseledger/caseledger/domain/workday"
)

// Rating is the case's 好差评 and the handling of a bad one.
type Rating struct {
	Rated      bool
	Label      RatingLabel
	ReasonTags []string
	On         workday.Date
	CalledBack bool
	Verdict    Verdict
	RectifyBy  workday.Date
	Rectified  bool
	Appealed   bool
	// AppealDecided and Upheld: an upheld appeal voids the rating for
	// statistics; it stays in the history.
	AppealDecided bool
	Upheld        bool
	SignedOff     bool
}

// Bad reports whether the label is one of the two bad ratings (差评).
func (l RatingLabel) Bad() bool { return l == Dissatisfied || l == VeryDissatisfied }

// Valid reports whether l is one of the five labels.
func (l RatingLabel) Valid() bool {
	return slices.Contains([]RatingLabel{VerySatisfied, Satisfied, FairlySatisfied, Dissatisfied, VeryDissatisfied}, l)
}

func (d *decision) rate(c *RateCase) ([]Event, error) {
	var f fields
	f.check(c.Label.Valid(), "label", "one of 非常满意, 满意, 基本满意, 不满意, 非常不满意")
	f.check(!c.Label.Bad() || len(c.ReasonTags) > 0, "reason_tags", "a bad rating needs reason tags")
	f.check(slices.Contains([]Channel{ChannelWindow, ChannelWeb, ChannelMobile, ChannelPost}, c.Channel), "channel", "unknown channel")
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleApplicant); err != nil {
		return nil, err
	}
	switch {
	case d.s.Rating.Rated:
		return nil, RuleError(ruleRating, "the case is rated %s already", d.s.Rating.Label)
	case d.s.Status != StatusCompleted && d.s.Status != StatusRefused:
		return nil, RuleError(ruleRating, "case is %s, not completed or refused", d.s.Status)
	}
	return []Event{&CaseRated{Label: c.Label, ReasonTags: slices.Clone(c.ReasonTags), Channel: c.Channel}}, nil
}

// badRating checks the actor and that a bad rating awaits the next step.
func (d *decision) badRating(roles ...Role) (*Rating, error) {
	if err := d.allow(roles...); err != nil {
		return nil, err
	}
	if d.m.Actor.Role == RoleDepartment && !d.s.involves(d.m.Actor.Unit) {
		return nil, forbidden(ruleDepartment, "%s has no item in this case", d.m.Actor.Unit)
	}
	r := &d.s.Rating
	if !r.Rated || !r.Label.Bad() {
		return nil, RuleError(ruleBadRating, "the case has no bad rating")
	}
	if r.SignedOff {
		return nil, RuleError(ruleBadRating, "the bad rating is signed off")
	}
	return r, nil
}

func (d *decision) callBack(c *CallBackRating) ([]Event, error) {
	var f fields
	f.need("notes", c.Notes)
	if err := f.err(); err != nil {
		return nil, err
	}
	r, err := d.badRating(RoleSupervisor, RoleDepartment)
	if err != nil {
		return nil, err
	}
	if r.CalledBack {
		return nil, RuleError(ruleBadRating, "already called back")
	}
	return []Event{&RatingCalledBack{Notes: c.Notes}}, nil
}

func (d *decision) triage(c *TriageRating) ([]Event, error) {
	var f fields
	f.check(slices.Contains([]Verdict{VerdictTrue, VerdictReasonable, VerdictMalicious}, c.Verdict), "verdict", "true, reasonable or malicious")
	f.need("reason", c.Reason)
	if err := f.err(); err != nil {
		return nil, err
	}
	r, err := d.badRating(RoleSupervisor)
	if err != nil {
		return nil, err
	}
	if !r.CalledBack || r.Verdict != "" {
		return nil, RuleError(ruleBadRating, "triage follows the callback, once")
	}
	ev := &RatingTriaged{Verdict: c.Verdict, Reason: c.Reason}
	if c.Verdict != VerdictMalicious {
		ev.RectifyBy = d.env.Calendar.Due(d.on(), d.env.Policy.RectificationLimit)
	}
	return []Event{ev}, nil
}

func (d *decision) reportRectification(c *ReportRectification) ([]Event, error) {
	var f fields
	f.need("summary", c.Summary)
	if err := f.err(); err != nil {
		return nil, err
	}
	r, err := d.badRating(RoleDepartment)
	if err != nil {
		return nil, err
	}
	if (r.Verdict != VerdictTrue && r.Verdict != VerdictReasonable) || r.Rectified {
		return nil, RuleError(ruleBadRating, "rectification follows a founded or reasonable verdict, once")
	}
	return []Event{&RectificationReported{Summary: c.Summary}}, nil
}

func (d *decision) appeal(c *AppealRating) ([]Event, error) {
	var f fields
	f.need("grounds", c.Grounds)
	if err := f.err(); err != nil {
		return nil, err
	}
	r, err := d.badRating(RoleDepartment)
	if err != nil {
		return nil, err
	}
	if r.Verdict != VerdictMalicious || r.Appealed {
		return nil, RuleError(ruleBadRating, "an appeal follows a malicious verdict, once")
	}
	return []Event{&RatingAppealed{Grounds: c.Grounds}}, nil
}

func (d *decision) decideAppeal(c *DecideAppeal) ([]Event, error) {
	var f fields
	f.need("reason", c.Reason)
	if err := f.err(); err != nil {
		return nil, err
	}
	r, err := d.badRating(RoleSupervisor)
	if err != nil {
		return nil, err
	}
	if !r.Appealed || r.AppealDecided {
		return nil, RuleError(ruleBadRating, "no appeal awaits a decision")
	}
	return []Event{&AppealDecided{Upheld: c.Upheld, Reason: c.Reason}}, nil
}

func (d *decision) signOff(c *SignOffRating) ([]Event, error) {
	var f fields
	f.need("notes", c.Notes)
	if err := f.err(); err != nil {
		return nil, err
	}
	r, err := d.badRating(RoleSupervisor)
	if err != nil {
		return nil, err
	}
	ready := r.Rectified || (r.Verdict == VerdictMalicious && r.Appealed == r.AppealDecided)
	if !ready {
		return nil, RuleError(ruleBadRating, "sign-off follows the rectification or the appeal")
	}
	return []Event{&RatingSignedOff{Notes: c.Notes}}, nil
}

// applyRating folds rating events; it reports whether ev was one.
func (s *State) applyRating(ev Event, on workday.Date) bool {
	r := &s.Rating
	switch e := ev.(type) {
	case *CaseRated:
		*r = Rating{Rated: true, Label: e.Label, ReasonTags: slices.Clone(e.ReasonTags), On: on}
	case *RatingCalledBack:
		r.CalledBack = true
	case *RatingTriaged:
		r.Verdict, r.RectifyBy = e.Verdict, e.RectifyBy
	case *RectificationReported:
		r.Rectified = true
	case *RatingAppealed:
		r.Appealed = true
	case *AppealDecided:
		r.AppealDecided, r.Upheld = true, e.Upheld
	case *RatingSignedOff:
		r.SignedOff = true
	default:
		return false
	}
	return true
}

// involves reports whether dept has an item in the case.
func (s *State) involves(dept string) bool {
	for _, it := range s.Items {
		if it.Department == dept {
			return true
		}
	}
	return false
}
