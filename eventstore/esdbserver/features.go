package esdbserver

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const appendOnly = "the ledger is append-only: streams are never deleted or tombstoned; record a correcting event instead"

// Delete is refused (rule 2).
func (s *Server) Delete(context.Context, *streams.DeleteReq) (*streams.DeleteResp, error) {
	return nil, status.Error(codes.FailedPrecondition, appendOnly)
}

// Tombstone is refused (rule 2).
func (s *Server) Tombstone(context.Context, *streams.TombstoneReq) (*streams.TombstoneResp, error) {
	return nil, status.Error(codes.FailedPrecondition, appendOnly)
}

// supported lists the methods served, as EventStoreDB names them: lower
// case, by full service name. Clients enable features from this list.
var supported = []*serverfeatures.SupportedMethod{
	{ServiceName: "event_store.client.streams.streams", MethodName: "read"},
	{ServiceName: "event_store.client.streams.streams", MethodName: "append"},
	{ServiceName: "event_store.client.server_features.serverfeatures", MethodName: "getsupportedmethods"},
	{ServiceName: "event_store.client.gossip.gossip", MethodName: "read"},
}

type featuresServer struct {
	serverfeatures.UnimplementedServerFeaturesServer
	s *Server
}

func (f featuresServer) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	return &serverfeatures.SupportedMethods{Methods: supported, EventStoreServerVersion: f.s.opts.ServerVersion}, nil
}

type gossipServer struct {
	gossip.UnimplementedGossipServer
	s *Server
}

// Read reports one member, this node, as the leader.
func (g gossipServer) Read(context.Context, *shared.Empty) (*gossip.ClusterInfo, error) {
	g.s.mu.Lock()
	addr := g.s.advertise
	g.s.mu.Unlock()
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, g.s.status(err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, g.s.status(err)
	}
	return &gossip.ClusterInfo{Members: []*gossip.MemberInfo{{
		InstanceId:   protoUUID(g.s.instanceID, false),
		TimeStamp:    time.Now().UnixNano() / nanosPerTick,
		State:        gossip.MemberInfo_Leader,
		IsAlive:      true,
		HttpEndPoint: &gossip.EndPoint{Address: host, Port: uint32(port)},
	}}}, nil
}
