package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"

	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/server"
)

// manyToolCalls is a CompleteRequest, in binary or in JSON, whose one message has
// n empty tool calls: two bytes each on the wire, about a hundred decoded (the
// rules of ai/v1 do not bound them, and 32 MiB of such elements, or of empty
// messages, decoded to 2 GiB).
func manyToolCalls(n int, binary bool) []byte {
	if !binary {
		if n < 0 { // no tool calls, and braces in a string: not elements
			return []byte(`{"chat":{"model":"nope","messages":[{"role":"ROLE_USER","content":[{"text":"\\\"` +
				strings.Repeat("{[", -n) + `"}]}]}}`)
		}
		return []byte(`{"chat":{"model":"nope","messages":[{"role":"ROLE_USER","toolCalls":[` +
			strings.Repeat("{},", n-1) + `{}]}]}}`)
	}
	msg := protowire.AppendTag(nil, 1, protowire.VarintType)
	msg = protowire.AppendVarint(msg, uint64(aiv1.Role_ROLE_USER))
	for range n {
		msg = protowire.AppendTag(msg, 3, protowire.BytesType)
		msg = protowire.AppendVarint(msg, 0)
	}
	chat := protowire.AppendTag(nil, 1, protowire.BytesType)
	chat = protowire.AppendString(chat, "nope")
	chat = protowire.AppendTag(chat, 2, protowire.BytesType)
	chat = protowire.AppendBytes(chat, msg)
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(req, chat)
}

// TestRequestsOfTooManyElementsAreRefused: a request message of more than
// MaxRequestElements messages, strings and bytes (in JSON, values) is
// refused before it is decoded, in either codec; one within the bound is decoded
// and gets the gateway's answer (here: no such model), as is one whose braces are
// in a string.
func TestRequestsOfTooManyElementsAreRefused(t *testing.T) {
	t.Parallel()
	srv, _ := serve(t, quota.Config{})
	for _, tc := range []struct {
		n      int
		binary bool
		want   string
	}{
		{server.MaxRequestElements, true, "invalid_argument"},
		{server.MaxRequestElements, false, "invalid_argument"},
		{1000, true, "not_found"},
		{1000, false, "not_found"},
		{-server.MaxRequestElements, false, "not_found"},
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+aiv1connect.AIGatewayServiceCompleteProcedure,
			bytes.NewReader(manyToolCalls(tc.n, tc.binary)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", map[bool]string{true: "application/proto", false: "application/json"}[tc.binary])
		req.Header.Set("X-Tenant", "acme")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		err = json.NewDecoder(res.Body).Decode(&e)
		_ = res.Body.Close()
		if err != nil {
			t.Fatalf("status %d: %v", res.StatusCode, err)
		}
		if e.Code != tc.want || (tc.want == "invalid_argument" && !strings.Contains(e.Message, "elements")) {
			t.Errorf("%d tool calls (binary %v): %s %q, want %s", tc.n, tc.binary, e.Code, e.Message, tc.want)
		}
	}
}
