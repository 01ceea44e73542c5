// Package reflection serves gRPC server reflection (grpc.reflection.v1 and v1alpha,
// through connectrpc.com/grpcreflect) so that grpcurl, buf curl and Postman can
// discover a service's API. It is opt-in: nothing is served unless [Mount] is called
// with an enabled [Config], typically in development only. Reflection procedures are
// ordinary routes: gatewaycore/auth's policy must list them, or they are denied.
package reflection
