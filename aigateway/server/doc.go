// Package server serves footing.ai.v1 AIGatewayService over Connect (and gRPC and
// gRPC-Web, which connect-go speaks too) from a gateway.Gateway. The caller's
// Principal comes from the request context, where the edge's authentication put it
// (contracts/identity); it decides quotas, budgets, the cache's tenant and whom the
// cost is recorded against.
package server
