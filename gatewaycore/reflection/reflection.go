package reflection

import (
	"net/http"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
)

// Config turns reflection on. Its zero value leaves it off.
type Config struct {
	// Enabled serves reflection when true.
	Enabled bool `env:"GRPC_REFLECTION" default:"false"`
}

// Procedures are the reflection procedures [Mount] serves, for an auth policy.
var Procedures = []string{
	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
}

// MaxRequestBytes bounds a reflection request message after decompression in
// [Mount]: a request names a file, a symbol or an extension.
const MaxRequestBytes = 64 << 10

// Mount serves reflection for the named services (fully-qualified, such as
// "footing.ai.v1.AIGatewayService", whose descriptors must be linked into the
// binary) on mux when cfg.Enabled, and reports whether it did.
//
// Each request message is refused past [MaxRequestBytes] once decompressed (the
// edge's body limit counts compressed bytes); opts come after and may set
// connect.WithReadMaxBytes otherwise.
func Mount(mux *http.ServeMux, cfg Config, services []string, opts ...connect.HandlerOption) bool {
	if !cfg.Enabled {
		return false
	}
	opts = append([]connect.HandlerOption{connect.WithReadMaxBytes(MaxRequestBytes)}, opts...)
	r := grpcreflect.NewStaticReflector(services...)
	mux.Handle(grpcreflect.NewHandlerV1(r, opts...))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(r, opts...))
	return true
}
