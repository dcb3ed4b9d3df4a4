package storetest_test

import (
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/storetest"
)

func TestSuitePassesOnAPlainInMemoryStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store { return newMemStore() })
}
