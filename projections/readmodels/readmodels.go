// Package readmodels names the read models a caseledger server runs, so that
// the command, the load benchmark and anything else that opens a runner
// register the same set.
package readmodels

import (
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
	"github.com/caseledger/caseledger/projections/dispute"
	"github.com/caseledger/caseledger/projections/metrics"
	"github.com/caseledger/caseledger/projections/timeline"
	"github.com/caseledger/caseledger/projections/watcher"
)

// All returns the read models a server runs: the applicant status, the
// supervisor timeline, the dispute dossiers, the analyst metrics and the
// deadline watcher's index.
func All() []projections.Projection {
	return []projections.Projection{
		casestatus.Projection{}, timeline.Projection{}, dispute.Projection{}, metrics.Projection{}, watcher.Index{},
	}
}
