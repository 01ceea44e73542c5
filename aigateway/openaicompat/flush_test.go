package openaicompat_test

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
)

// TestStreamFlushesWhileUpstreamIsSilent checks that events are not held in the
// gateway's buffer while it waits for the upstream: the fake sends three pieces
// (with a ping and a comment between them) and then stalls, and the client still
// receives every piece. Then the client goes away and the upstream request is
// cancelled.
func TestStreamFlushesWhileUpstreamIsSilent(t *testing.T) {
	t.Parallel()
	srv, fake := setup(t, quota.Config{})
	fake.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}, {Ping: true}, {Text: " from"}, {Comment: "keep-alive"}, {Text: " upstream"}}, Stall: true})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"default-chat","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer acme")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	var got []string
	for len(got) < 3 && sc.Scan() {
		line := sc.Bytes()
		for _, piece := range []string{"Hello", " from", " upstream"} {
			if bytes.Contains(line, []byte(`"content":"`+piece+`"`)) {
				got = append(got, piece)
			}
		}
	}
	if len(got) != 3 {
		t.Fatalf("got %q before the stream stalled (%v)", got, sc.Err())
	}
	_ = resp.Body.Close()
	<-fake.Canceled()
}
