package main

import (
	"context"
	"strconv"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
)

// target is an open item the command phase acts on, as its department.
type target struct {
	caseID     string
	item       string
	department string
	region     string
	// status is where the item stands, which says where its commands
	// start: a dispatched item is accepted first, a suspended one resumed.
	status targetStatus
}

type targetStatus int

const (
	inProgress targetStatus = iota
	dispatched
	suspended
)

// itemAction is one item command of the phase: its route under
// /v1/cases/{id}/items/{item}/, its body, and the domain command it maps
// to, for checking in advance that the decider accepts it.
type itemAction struct {
	route   string
	body    []byte
	command func(meta domain.CommandMeta, item string) domain.Command
}

var (
	acceptAction = itemAction{"accept", []byte(`{}`), func(m domain.CommandMeta, item string) domain.Command {
		return &domain.AcceptItem{CommandMeta: m, Item: item}
	}}
	resumeAction = itemAction{"resume", []byte(`{}`), func(m domain.CommandMeta, item string) domain.Command {
		return &domain.ResumeItem{CommandMeta: m, Item: item}
	}}
	suspendAction = itemAction{"suspend", []byte(`{"reason":"loadgen: 等待申请人补充说明"}`), func(m domain.CommandMeta, item string) domain.Command {
		return &domain.SuspendItem{CommandMeta: m, Item: item, Reason: "loadgen: 等待申请人补充说明"}
	}}
)

func stepAction(step domain.Step) itemAction {
	body := []byte(`{"step":"` + string(step) + `","action":"其他","opinion":"loadgen: processing note"}`)
	return itemAction{"steps", body, func(m domain.CommandMeta, item string) domain.Command {
		return &domain.RecordStep{CommandMeta: m, Item: item, Step: step, Action: domain.ActionOther, Opinion: "loadgen: processing note"}
	}}
}

// itemCycle is what the phase does to an item in progress, over and over,
// as a department works on it: steps recorded (承办, 审核, 批准, each with
// action 其他, which decides nothing), and a suspension lifted again. It
// ends where it starts, in progress and not paused, so it can repeat
// forever; two thirds of the commands are steps.
var itemCycle = []itemAction{
	stepAction(domain.StepHandle), stepAction(domain.StepReview), suspendAction, resumeAction,
	stepAction(domain.StepHandle), stepAction(domain.StepApprove),
}

// resumeAt is resumeAction's index in itemCycle, where a suspended item's
// commands start.
const resumeAt = 3

// firstStage is the index into itemCycle of t's first command, or -1 for
// acceptAction before the cycle.
func (t target) firstStage() int {
	switch t.status {
	case dispatched:
		return -1
	case suspended:
		return resumeAt
	}
	return 0
}

// findTargets folds the newest cases (the generated history leaves the
// last weeks' cases open) until it has limit items on which domain.Decide
// accepts the phase's commands from the item's first stage through a whole
// cycle (see allowed). Nobody else acts on them during the run, so every
// later command stays allowed. It stops at the first closedRun cases in a
// row without an open item: older cases are all closed, and folding every
// one of 100,000 took minutes.
func findTargets(ctx context.Context, store eventstore.Store, cases []caseRef, limit int) ([]target, error) {
	env := domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: domain.DefaultPolicy()}
	var out []target
	closed := 0
	for i := len(cases) - 1; i >= 0 && len(out) < limit && closed < closedRun; i-- {
		recorded, err := store.ReadStream(ctx, "case-"+cases[i].id, eventstore.ReadStreamOptions{})
		if err != nil {
			return nil, err
		}
		st, err := foldCase(recorded)
		if err != nil {
			return nil, err
		}
		var open []target
		for _, it := range st.Items {
			t := target{caseID: st.CaseID, item: it.Code, department: it.Department, region: st.Region}
			switch {
			case it.Status == domain.ItemSent:
				t.status = dispatched
			case it.Status == domain.ItemInProgress && it.Suspended:
				t.status = suspended
			case it.Status != domain.ItemInProgress:
				continue
			}
			open = append(open, t)
		}
		if len(open) == 0 {
			closed++
		} else {
			closed = 0
		}
		for _, t := range open {
			if len(out) == limit {
				break
			}
			if t.allowed(st, env) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// closedRun is how many cases in a row without an open item end the search
// for targets. The generated history closes cases in submission order but
// for a few long ones (suspensions, extensions), so open items thin out
// going back; a thousand closed cases in a row is well past them.
const closedRun = 1000

// allowed reports whether the decider accepts the phase's commands on t,
// from its first stage to the end of one cycle, each applied in turn to
// the case st. st stays as it is: Decide and Evolve fork it (domain rules
// F1 to F4), so one fold of the stream serves every item of the case;
// folding the stream again for each item took minutes once a reused
// store's target cases had grown to hundreds of events. An item paused
// otherwise than by a suspension (a special procedure, a correction asked
// for) fails here and is left out.
func (t target) allowed(st domain.State, env domain.Env) bool {
	var actions []itemAction
	switch first := t.firstStage(); {
	case first < 0:
		actions = append(actions, acceptAction)
	case first > 0:
		actions = append(actions, itemCycle[first:]...)
	}
	actions = append(actions, itemCycle...)
	meta := domain.CommandMeta{CaseID: t.caseID, At: time.Now(), Actor: t.actor()}
	for i, a := range actions {
		meta.ID = "loadgen-probe-" + strconv.Itoa(i)
		evs, err := domain.Decide(st, a.command(meta, t.item), env)
		if err != nil {
			return false
		}
		for _, ev := range evs {
			st = domain.Evolve(st, ev)
		}
	}
	return true
}

func foldCase(recorded []eventstore.RecordedEvent) (domain.State, error) {
	var st domain.State
	for _, r := range recorded {
		ev, err := domain.DecodeRecorded(r)
		if err != nil {
			return st, err
		}
		st.Apply(ev)
	}
	return st, nil
}

// actor is the department officer the target's commands come from.
func (t target) actor() domain.Actor {
	return domain.Actor{Role: domain.RoleDepartment, PersonID: "loadgen-" + t.department + "-" + t.region, Unit: t.department, Region: t.region}
}
