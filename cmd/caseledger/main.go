// Command caseledger runs the caseledger service and its maintenance tools:
//
//	caseledger serve     the HTTP API on the embedded store or EventStoreDB
//	                     (--store), optionally the EventStoreDB endpoint
//	                     (--esdb-listen), with the deadline watcher
//	caseledger replay    rebuild the read models, with a progress bar
//	caseledger verify    check every chain hash; report the first broken event
//	caseledger export    the log as NDJSON, optionally filtered
//	caseledger import    NDJSON into an empty store, verifying chains
//	caseledger backup    a consistent copy of a store, running or stopped
//	caseledger token     mint a bearer token for development
//	caseledger version   print the version
//
// Run "caseledger <command> --help" for each command's settings. Every
// setting can also come from an environment variable (CASELEDGER_<NAME>)
// or a JSON config file (--config); flags win over the environment, which
// wins over the file.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Args[1:])
	err := m.Run(ctx)
	if err == nil && m.Serving() {
		// Serve until SIGINT or SIGTERM; Close then drains requests in
		// flight and closes the store.
		<-ctx.Done()
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "caseledger:", err)
		os.Exit(1)
	}
}
