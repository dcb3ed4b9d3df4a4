package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/caseledger/caseledger/eventstore"
)

// casesFile lists the store's cases beside it (<data>/cases.tsv), so that
// a reused store is not scanned in full before every run: at 100,000 cases
// the filtered scan of the log took minutes. Its first line is the log
// position it covers ("head <n>"); each next line is a case ID and its
// applicant, tab-separated, in submission order. Cases are never removed
// from a store, so the file stays true; only cases recorded after its head
// are missing, and listCases scans for those.
const casesFile = "cases.tsv"

// listCases returns every case of the store: from the cases file and a
// scan of the log after its head, or from a scan of the whole log when
// there is no file or it covers more than the store holds (a store
// replaced under it). It rewrites the file when it learnt anything, and
// says how it listed them.
func listCases(ctx context.Context, store eventstore.Store, data string) (refs []caseRef, how string, err error) {
	head, err := store.Head(ctx)
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(data, casesFile)
	refs, covered, err := readCases(path)
	switch {
	case errors.Is(err, fs.ErrNotExist), err == nil && covered > head:
		refs, covered = nil, 0
	case err != nil:
		return nil, "", err
	}
	from := uint64(0)
	switch {
	case refs == nil:
		how = "scanning the whole log"
	case covered == head:
		return refs, "from " + casesFile, nil
	default:
		from = covered + 1
		how = fmt.Sprintf("from %s and the log after position %d", casesFile, covered)
	}
	more, err := scanCases(ctx, store, from)
	if err != nil {
		return nil, how, err
	}
	refs = append(refs, more...)
	return refs, how, writeCases(path, head, refs)
}

// writeCases replaces the cases file with refs, which cover the log up to
// head; a crash leaves the old file or the new one, never a torn one.
func writeCases(path string, head uint64, refs []caseRef) (err error) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "head %d\n", head)
	for _, r := range refs {
		fmt.Fprintf(w, "%s\t%s\n", r.id, r.applicant)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readCases reads a cases file: its cases and the head it covers.
func readCases(path string) ([]caseRef, uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("%s: empty, want a head line first", path)
	}
	n, ok := strings.CutPrefix(sc.Text(), "head ")
	head, err := strconv.ParseUint(n, 10, 64)
	if !ok || err != nil {
		return nil, 0, fmt.Errorf("%s: first line %q, want \"head <position>\"", path, sc.Text())
	}
	refs := []caseRef{}
	for line := 2; sc.Scan(); line++ {
		id, applicant, ok := strings.Cut(sc.Text(), "\t")
		if !ok || id == "" || applicant == "" {
			return nil, 0, fmt.Errorf("%s:%d: want a case ID and an applicant, tab-separated", path, line)
		}
		refs = append(refs, caseRef{id: id, applicant: applicant})
	}
	return refs, head, sc.Err()
}
