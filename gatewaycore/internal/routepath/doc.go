// Package routepath gives the one normal form of a request path that gatewaycore's
// middleware judge: auth's policy table, ratelimit's rules and edge's route
// timeouts look up the same string, so no spelling of a path ("//svc/Method",
// "/svc/./Method", "/x/../svc/Method") is judged by one and missed by another when
// the router behind them does not clean paths (a bare Connect handler, chi).
package routepath
