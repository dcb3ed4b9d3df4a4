package esdbserver

import (
	"regexp"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// defaultWindow is EventStoreDB's default maximum search window: with the
// default multiplier of 1, a filtered subscription reports a checkpoint
// every 32 events examined.
const defaultWindow = 32

// filter is an EventStoreDB server-side filter on $all.
type filter struct {
	onType   bool // match the event type, else the stream name
	prefixes []string
	re       *regexp.Regexp
	// interval is how many events are examined between checkpoints.
	interval int
}

// filterFromProto returns nil when o asks for no filter. EventStoreDB's
// regular expressions are .NET's; the common subset RE2 accepts works, the
// rest is refused with InvalidArgument.
func filterFromProto(o *streams.ReadReq_Options) (*filter, error) {
	fo := o.GetFilter()
	if fo == nil {
		return nil, nil
	}
	f := &filter{}
	var expr *streams.ReadReq_Options_FilterOptions_Expression
	switch {
	case fo.GetEventType() != nil:
		f.onType, expr = true, fo.GetEventType()
	case fo.GetStreamIdentifier() != nil:
		expr = fo.GetStreamIdentifier()
	default:
		return nil, domain.Errorf(domain.CodeInvalid, "a filter needs an event type or stream expression")
	}
	f.prefixes = expr.GetPrefix()
	if r := expr.GetRegex(); r != "" {
		re, err := regexp.Compile(r)
		if err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "filter regex %q: %v", r, err)
		}
		f.re = re
	}
	if f.re == nil && len(f.prefixes) == 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "a filter needs a regex or prefixes")
	}
	window := int(fo.GetMax())
	if window == 0 {
		window = defaultWindow
	}
	f.interval = window * max(1, int(fo.GetCheckpointIntervalMultiplier()))
	return f, nil
}

// match reports whether e passes f; a nil filter passes everything.
func (f *filter) match(e *eventstore.RecordedEvent) bool {
	if f == nil {
		return true
	}
	s := e.Stream
	if f.onType {
		s = e.Type
	}
	if f.re != nil && !f.re.MatchString(s) {
		return false
	}
	if len(f.prefixes) == 0 {
		return true
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
