// Package connecttest starts real Connect servers for contracts' tests and names the
// three wire protocols a client can speak to them.
package connecttest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
)

// A Protocol is one wire protocol a Connect client can use.
type Protocol struct {
	Name   string
	Option connect.ClientOption
}

// Protocols lists Connect, gRPC and gRPC-Web.
func Protocols() []Protocol {
	return []Protocol{
		{Name: "connect", Option: connect.WithProtoJSON()},
		{Name: "grpc", Option: connect.WithGRPC()},
		{Name: "grpcweb", Option: connect.WithGRPCWeb()},
	}
}

// Serve serves handler at path over TLS with HTTP/2 (which gRPC needs) and returns
// the server's base URL and a client that trusts it. The server stops with the test.
func Serve(t testing.TB, path string, handler http.Handler) (string, *http.Client) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(path, handler)
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL, srv.Client()
}
