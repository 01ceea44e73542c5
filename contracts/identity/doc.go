// Package identity carries the verified caller, a [commonv1.Principal], and the
// request's [commonv1.RequestMetadata] in a [context.Context].
//
// gatewaycore puts them in after authentication (through a [PrincipalSlot] that its
// edge reserves in each request's context, or [WithPrincipal]); storage reads the
// tenant for row-level security, aigateway reads it for quotas and cost,
// observability stamps it on logs and spans, and jobs carry it to their workers. Values stored here are
// shared by every reader of the context and must be treated as read-only: use
// [proto.Clone] before changing one.
//
// [proto.Clone]: https://pkg.go.dev/google.golang.org/protobuf/proto#Clone
package identity
