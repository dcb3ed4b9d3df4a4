package esdbserver

import (
	"encoding/binary"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdb/envelope"
	"github.com/google/uuid"
)

// ticksPerNano: "created" counts .NET ticks of 100 ns since the Unix epoch.
const nanosPerTick = 100

// protoUUID encodes id as the request asked (rule 9).
func protoUUID(id uuid.UUID, asString bool) *shared.UUID {
	if asString {
		return &shared.UUID{Value: &shared.UUID_String_{String_: id.String()}}
	}
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(id[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(id[8:])),
	}}}
}

// fromProtoUUID decodes either form of a UUID.
func fromProtoUUID(u *shared.UUID) (uuid.UUID, bool) {
	var id uuid.UUID
	if st := u.GetStructured(); st != nil {
		binary.BigEndian.PutUint64(id[:8], uint64(st.GetMostSignificantBits()))
		binary.BigEndian.PutUint64(id[8:], uint64(st.GetLeastSignificantBits()))
		return id, id != uuid.Nil
	}
	id, err := uuid.Parse(u.GetString_())
	return id, err == nil && id != uuid.Nil
}

// readEvent is the wire form of a recorded event (rule 5).
func readEvent(e *eventstore.RecordedEvent, uuidAsString bool) *streams.ReadResp {
	ticks := e.RecordedAt.UnixNano() / nanosPerTick
	rec := &streams.ReadResp_ReadEvent_RecordedEvent{
		Id:               protoUUID(e.ID, uuidAsString),
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(e.Stream)},
		StreamRevision:   e.Version,
		PreparePosition:  e.Position,
		CommitPosition:   e.Position,
		Metadata: map[string]string{
			"type":         e.Type,
			"content-type": "application/json",
			"created":      strconv.FormatInt(ticks, 10),
		},
		CustomMetadata: envelope.Encode(envelope.Fields{
			RecordedAt: e.RecordedAt.UnixNano(),
			Hash:       e.Hash,
			Metadata:   e.Metadata,
		}),
		Data: e.Data,
	}
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event:    rec,
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.Position},
	}}}
}

func streamNotFound(stream string) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)},
	}}}
}

func confirmation(id string) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_Confirmation{Confirmation: &streams.ReadResp_SubscriptionConfirmation{SubscriptionId: id}}}
}

func checkpoint(pos uint64) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{CommitPosition: pos, PreparePosition: pos}}}
}

func caughtUp() *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}
}

// wantsStringUUIDs reports the request's UUID option; structured unless it
// asks for strings.
func wantsStringUUIDs(o *streams.ReadReq_Options) bool {
	return o.GetUuidOption().GetString_() != nil
}
