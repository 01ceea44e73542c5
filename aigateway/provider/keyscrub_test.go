package provider_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/anthropic"
	"github.com/footingdev/footing/aigateway/provider/gemini"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
)

// TestKeyCutByTruncationIsScrubbed: an upstream message that echoes the API key
// where the gateway cuts messages (1024 bytes for a provider message, 200 for a
// malformed event's data) kept the key's first bytes — the key was removed only
// when whole, after the cut. Each is checked in the error the caller gets and in
// the error's full text (logged server-side): no half of the key is in either.
func TestKeyCutByTruncationIsScrubbed(t *testing.T) {
	t.Parallel()
	key := providertest.APIKey
	half := key[:len(key)/2]
	cut := func(at int) string { return strings.Repeat("x", at-len(half)) + key + " and more" }
	wires := []struct {
		wire providertest.Wire
		mk   func(f *providertest.Fake) (provider.Provider, error)
		bad  func(data string) string // a malformed event of the wire carrying data
	}{
		{providertest.OpenAI, func(f *providertest.Fake) (provider.Provider, error) {
			return openai.New(openai.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, func(data string) string { return "data: " + data + "\n\n" }},
		{providertest.Anthropic, func(f *providertest.Fake) (provider.Provider, error) {
			return anthropic.New(anthropic.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, func(data string) string { return "event: content_block_delta\ndata: " + data + "\n\n" }},
		{providertest.Gemini, func(f *providertest.Fake) (provider.Provider, error) {
			return gemini.New(gemini.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, func(data string) string { return "data: " + data + "\n\n" }},
	}
	for _, w := range wires {
		for _, tc := range []struct {
			name  string
			reply providertest.Reply
		}{
			{"refusal", providertest.Reply{Failure: &providertest.Failure{Kind: provider.KindInvalidRequest, Message: cut(1024)}}},
			{"error event", providertest.Reply{Steps: []providertest.Step{{Text: "Hi"}, {Error: &providertest.Failure{Kind: provider.KindInvalidRequest, Message: cut(1024)}}}}},
			// The malformed event's data is quoted from its start: {"x":"xxx…key.
			{"malformed event", providertest.Reply{Steps: []providertest.Step{{Text: "Hi"}, {Raw: w.bad(`{"x":"` + cut(200-len(`{"x":"`)))}}}},
		} {
			t.Run(w.wire.String()+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				fake := providertest.New(t, w.wire)
				fake.Enqueue(tc.reply)
				p, err := w.mk(fake)
				if err != nil {
					t.Fatal(err)
				}
				err = chatErr(t.Context(), p)
				var perr *provider.Error
				if !errors.As(err, &perr) {
					t.Fatalf("error %v, want a *provider.Error", err)
				}
				for what, s := range map[string]string{"error": err.Error(), "caller's message": errs.From(perr.ConnectError()).Message} {
					if strings.Contains(s, half) {
						t.Errorf("the %s holds the key's first half: %q", what, s)
					}
				}
			})
		}
	}
}

// chatErr runs a chat to its end and returns its error.
func chatErr(ctx context.Context, p provider.Provider) error {
	s, err := p.Chat(ctx, &aiv1.ChatRequest{Model: "m", Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER,
		Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "hi"}}}}}})
	if err != nil {
		return err
	}
	defer s.Close()
	for {
		if _, err := s.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("the stream ended without an error")
			}
			return err
		}
	}
}
