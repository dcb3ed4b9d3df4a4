package http

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// The export format is NDJSON: one recorded event per line, as the raw
// events route shows them (eventJSON). Each line holds everything the chain
// hash covers, so an export can be verified and imported elsewhere.

// EncodeEvent writes e as one NDJSON line.
func EncodeEvent(w io.Writer, e *eventstore.RecordedEvent) error {
	return jsonEncode(w, toEventJSON(e))
}

// DecodeEvent parses one NDJSON line written by EncodeEvent.
func DecodeEvent(line []byte) (eventstore.RecordedEvent, error) {
	var j eventJSON
	if err := json.Unmarshal(line, &j); err != nil {
		return eventstore.RecordedEvent{}, err
	}
	id, err := uuid.Parse(j.ID)
	if err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("id: %w", err)
	}
	at, err := time.Parse(time.RFC3339Nano, j.RecordedAt)
	if err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("recorded_at: %w", err)
	}
	e := eventstore.RecordedEvent{ID: id, Stream: j.Stream, Version: j.Version, Position: j.Position, Type: j.Type,
		Data: j.Data, Metadata: j.Metadata, RecordedAt: at.UTC()}
	if j.DataBase64 != "" {
		if e.Data, err = base64.StdEncoding.DecodeString(j.DataBase64); err != nil {
			return eventstore.RecordedEvent{}, fmt.Errorf("data_base64: %w", err)
		}
	}
	if j.MetadataBase64 != "" {
		if e.Metadata, err = base64.StdEncoding.DecodeString(j.MetadataBase64); err != nil {
			return eventstore.RecordedEvent{}, fmt.Errorf("metadata_base64: %w", err)
		}
	}
	h, err := hex.DecodeString(j.Hash)
	if err != nil || len(h) != len(e.Hash) {
		return eventstore.RecordedEvent{}, fmt.Errorf("hash: not 64 hex digits")
	}
	copy(e.Hash[:], h)
	return e, nil
}

// ExportLog writes every event of store that passes filter, in log order,
// as NDJSON.
func ExportLog(ctx context.Context, store eventstore.Store, filter eventstore.Filter, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	const page = 4096
	for from := uint64(0); ; {
		events, err := store.ReadAll(ctx, eventstore.ReadAllOptions{From: from, Limit: page, Filter: filter})
		if err != nil {
			return err
		}
		for i := range events {
			if err := EncodeEvent(bw, &events[i]); err != nil {
				return err
			}
		}
		if len(events) < page {
			return bw.Flush()
		}
		from = events[len(events)-1].Position + 1
	}
}
