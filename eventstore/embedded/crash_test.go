package embedded_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// crashChildEnv, when set to a directory, turns the test binary into the
// child of TestProcessCrashKeepsAcknowledgedAppendsWhole: it appends to the
// store in that directory until it is killed.
const crashChildEnv = "CASELEDGER_CRASH_CHILD_DIR"

// TestProcessCrashKeepsAcknowledgedAppendsWhole runs the store in a child
// process (this test binary, re-executed) that appends from several
// goroutines and reports each append on stdout before sending it and again
// after Append returned. The parent kills the child with SIGKILL at a random
// moment, sometimes before its first acknowledgement so that opening and
// recovery are killed too, then opens the directory itself and checks it
// with checkRecovered: every reported acknowledgement is there byte for
// byte, chains verify, positions have no gap, and no append is half there.
// Each round reopens the same directory and appends more.
//
// Unlike the power-loss test, the operating system keeps what the killed
// process wrote, synced or not; this test finds bugs in the store's own
// recovery (torn batches in its files, state kept only in memory), the
// power-loss test finds missing syncs.
func TestProcessCrashKeepsAcknowledgedAppendsWhole(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		runCrashChild(dir)
		return
	}
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rounds := 6
	if testing.Short() {
		rounds = 3
	}
	dir := t.TempDir()
	var survivors []crashAppend
	for round := range rounds {
		j := newCrashJournal()
		for _, a := range survivors {
			j.ack(j.attempt(a.stream, a.ids), a.result)
		}
		// A kill from the start lands within the child's first few hundred
		// milliseconds, while it opens and recovers the store.
		early := rng.IntN(4) == 0
		delay := time.Duration(rng.Int64N(int64(800 * time.Millisecond)))
		if early {
			delay /= 2
		}
		acks, err := runCrashChildRound(t, dir, j, early, delay)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		kept, err := checkDir(dir, j)
		if err != nil {
			t.Fatalf("round %d (killed %v after %s): %v", round, whenKilled(early), delay, err)
		}
		t.Logf("round %d: killed %v after %s; %d new acknowledgements, %d appends recorded", round, whenKilled(early), delay, acks, len(kept))
		survivors = kept
	}
}

func whenKilled(early bool) string {
	if early {
		return "from the start"
	}
	return "from the first acknowledgement"
}

// runCrashChildRound starts a child on dir, journals what it reports into j,
// kills it delay after it started (early) or after its first
// acknowledgement, and returns the number of acknowledgements it reported.
func runCrashChildRound(t *testing.T, dir string, j *crashJournal, early bool, delay time.Duration) (int, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	firstAck := make(chan struct{})
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		if !early {
			// Bounded so that a child that never acknowledges anything is
			// still killed and its stderr reported.
			select {
			case <-firstAck:
			case <-time.After(20 * time.Second):
			}
		}
		time.Sleep(delay)
		// SIGKILL: the child runs no deferred code and flushes nothing.
		_ = cmd.Process.Kill()
	}()
	acks, readErr := readCrashReports(out, j, firstAck)
	<-killed
	waitErr := cmd.Wait()
	if readErr != nil {
		return acks, fmt.Errorf("reading the child's reports: %w", readErr)
	}
	var exit *exec.ExitError
	if !errors.As(waitErr, &exit) || exit.Exited() {
		return acks, fmt.Errorf("the child ended on its own (%v) instead of being killed; stderr:\n%s", waitErr, stderr.String())
	}
	// A killed child never reaches the exit code by which the race detector
	// reports, so its report is looked for here.
	if strings.Contains(stderr.String(), "WARNING: DATA RACE") {
		return acks, fmt.Errorf("the child found a data race:\n%s", stderr.String())
	}
	return acks, nil
}

// readCrashReports reads the child's lines until its stdout closes, which
// is after it died; what it wrote before is still in the pipe.
func readCrashReports(out io.Reader, j *crashJournal, firstAck chan<- struct{}) (int, error) {
	sc := bufio.NewScanner(out)
	acks := 0
	for sc.Scan() {
		kind, rest, ok := strings.Cut(sc.Text(), " ")
		switch {
		case !ok:
			continue // not ours: the testing package's own output
		case kind == "crash-try":
			stream, ids, err := parseAttemptLine(rest)
			if err != nil {
				return acks, err
			}
			j.attempt(stream, ids)
		case kind == "crash-ack":
			id, r, err := parseAckLine(rest)
			if err != nil {
				return acks, err
			}
			a := j.lookup(id)
			if a == nil {
				return acks, fmt.Errorf("acknowledgement of %s, which was never attempted", id)
			}
			j.ack(a, r)
			if acks == 0 {
				close(firstAck)
			}
			acks++
		}
	}
	return acks, sc.Err()
}

// checkDir opens the store in dir, checks it and returns the appends it
// holds.
func checkDir(dir string, j *crashJournal) ([]crashAppend, error) {
	s, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		return nil, fmt.Errorf("reopen: %w", err)
	}
	rec, checkErr := checkRecovered(context.Background(), s, j, j.acked())
	if err := s.Close(); err != nil && checkErr == nil {
		checkErr = fmt.Errorf("close: %w", err)
	}
	if checkErr != nil {
		return nil, checkErr
	}
	return rec.appends(j), nil
}

// runCrashChild is the child's whole life: append until killed. It exits
// on its own only when something fails, or after a minute if its parent
// forgot it.
func runCrashChild(dir string) {
	time.AfterFunc(time.Minute, func() { os.Exit(4) })
	s, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	j := newCrashJournal()
	j.out = os.Stdout
	w := startCrashWriters(s, j, 8, math.MaxInt32, uint64(time.Now().UnixNano()))
	w.waitAcks(math.MaxInt)
	fmt.Fprintln(os.Stderr, "writers ended:", w.stop())
	os.Exit(2)
}

// The child's lines: "crash-try <stream> <id>,<id>,..." before an append is
// sent, "crash-ack <first id> <first version> <last version> <first
// position> <last position>" after it returned.

func attemptLine(a *crashAppend) string {
	ids := make([]string, len(a.ids))
	for i, id := range a.ids {
		ids[i] = id.String()
	}
	return "crash-try " + a.stream + " " + strings.Join(ids, ",") + "\n"
}

func ackLine(a *crashAppend) string {
	r := a.result
	return fmt.Sprintf("crash-ack %s %d %d %d %d\n", a.ids[0], r.FirstVersion, r.LastVersion, r.FirstPosition, r.LastPosition)
}

func parseAttemptLine(s string) (string, []uuid.UUID, error) {
	stream, list, ok := strings.Cut(s, " ")
	if !ok {
		return "", nil, fmt.Errorf("bad attempt line %q", s)
	}
	var ids []uuid.UUID
	for _, f := range strings.Split(list, ",") {
		id, err := uuid.Parse(f)
		if err != nil {
			return "", nil, fmt.Errorf("bad attempt line %q: %w", s, err)
		}
		ids = append(ids, id)
	}
	return stream, ids, nil
}

func parseAckLine(s string) (uuid.UUID, eventstore.AppendResult, error) {
	var r eventstore.AppendResult
	f := strings.Fields(s)
	if len(f) != 5 {
		return uuid.Nil, r, fmt.Errorf("bad acknowledgement line %q", s)
	}
	id, err := uuid.Parse(f[0])
	if err != nil {
		return uuid.Nil, r, fmt.Errorf("bad acknowledgement line %q: %w", s, err)
	}
	var n [4]uint64
	for i := range n {
		if n[i], err = strconv.ParseUint(f[i+1], 10, 64); err != nil {
			return uuid.Nil, r, fmt.Errorf("bad acknowledgement line %q: %w", s, err)
		}
	}
	r = eventstore.AppendResult{FirstVersion: n[0], LastVersion: n[1], FirstPosition: n[2], LastPosition: n[3]}
	return id, r, nil
}
