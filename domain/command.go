package domain

import (
	"time"

	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// Command asks for a change to one case. Every command type in this package
// embeds CommandMeta; usecases.go lists them all.
type Command interface {
	Metadata() CommandMeta
	command() *CommandMeta
}

// CommandMeta is what every command carries besides its own input.
type CommandMeta struct {
	// ID identifies the command for idempotency: a command whose ID the case
	// has already processed decides nothing (the HTTP Idempotency-Key).
	ID     string
	CaseID string
	Actor  Actor
	// At is when the command takes effect, from the caller's clock: the
	// decider never reads a clock, so a replay reaches the same decisions.
	At time.Time
}

// Metadata returns m; promoted to every command type.
func (m CommandMeta) Metadata() CommandMeta { return m }

func (m *CommandMeta) command() *CommandMeta { return m }

// Env is everything outside the case a decision may depend on, passed as
// values: the catalogue, the calendar and the configurable policy.
type Env struct {
	Catalogue *catalogue.Catalogue
	Calendar  *workday.Calendar
	Policy    Policy
}

// Policy holds the limits that differ by locality (DOMAIN.md marks them
// configurable).
type Policy struct {
	// RectificationLimit is the time to rectify a founded bad rating (5, 7
	// or 15 working days are seen).
	RectificationLimit workday.Limit
	// ComplaintLimit is the time to answer a complaint.
	ComplaintLimit workday.Limit
	// Warning decides when the watcher may raise a yellow warning.
	Warning workday.WarningPolicy
}

// DefaultPolicy is 5 working days to rectify (the shortest seen), 10
// working days to answer a complaint (the example in DOMAIN.md) and the
// calendar package's default warning policy.
func DefaultPolicy() Policy {
	return Policy{
		RectificationLimit: workday.Limit{Value: 5, Unit: workday.WorkingDays},
		ComplaintLimit:     workday.Limit{Value: 10, Unit: workday.WorkingDays},
		Warning:            workday.DefaultWarningPolicy(),
	}
}
