package anthropic

import (
	"errors"
	"io"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/aigateway/provider/internal/calltest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// TestCacheWrite1hTokens: the 1-hour part of the cache writes is read from
// message_start's usage.cache_creation (as the API sends it since the 1-hour cache
// TTL) and from message_delta's cumulative usage when it carries the object, and
// stays within cache_creation_input_tokens. Before, it was not read at all, so
// 1-hour writes were priced as 5-minute ones.
func TestCacheWrite1hTokens(t *testing.T) {
	t.Parallel()
	start := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5-20250929\",\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null," +
		"\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":3000,\"cache_read_input_tokens\":1800,\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2000},\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	stop := "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	tests := []struct {
		name, delta string
		usage       *aiv1.Usage
		writes1h    int64
	}{
		{"output only in message_delta", `{"output_tokens":40}`,
			&aiv1.Usage{InputTokens: 4821, CacheReadTokens: 1800, CacheWriteTokens: 3000, OutputTokens: 40}, 2000},
		{"cumulative input counts in message_delta", `{"input_tokens":21,"cache_creation_input_tokens":3000,"cache_read_input_tokens":1800,"output_tokens":40}`,
			&aiv1.Usage{InputTokens: 4821, CacheReadTokens: 1800, CacheWriteTokens: 3000, OutputTokens: 40}, 2000},
		{"split in message_delta wins", `{"input_tokens":21,"cache_creation_input_tokens":3500,"cache_read_input_tokens":1800,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2500},"output_tokens":40}`,
			&aiv1.Usage{InputTokens: 5321, CacheReadTokens: 1800, CacheWriteTokens: 3500, OutputTokens: 40}, 2500},
		{"1-hour writes capped at the writes", `{"cache_creation_input_tokens":1500,"output_tokens":40}`,
			&aiv1.Usage{InputTokens: 3321, CacheReadTokens: 1800, CacheWriteTokens: 1500, OutputTokens: 40}, 1500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := start + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":" + tc.delta + "}\n\n" + stop
			s := &stream{body: calltest.BodyOf("anthropic", []byte(data)), name: "anthropic", model: "m", tools: map[int]int32{}}
			defer s.Close()
			var last *aiv1.ChatChunk
			for {
				c, err := s.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if c.GetDeltaText() == "Hi" && s.CacheWrite1hTokens() != 2000 {
					t.Errorf("mid-stream: %d 1-hour writes, want message_start's 2000", s.CacheWrite1hTokens())
				}
				last = c
			}
			if !proto.Equal(last.GetUsage(), tc.usage) || !proto.Equal(s.Usage(), tc.usage) {
				t.Errorf("usage %v (Stream.Usage %v), want %v", last.GetUsage(), s.Usage(), tc.usage)
			}
			if got := s.CacheWrite1hTokens(); got != tc.writes1h {
				t.Errorf("CacheWrite1hTokens = %d, want %d", got, tc.writes1h)
			}
		})
	}
}

// TestRestartedBlockIsANewToolCall: a content block index started twice (not
// something Anthropic sends, but an Anthropic-compatible proxy might) gave the
// second call the next tool-call index by the map's size, which had not grown, so
// the block after it got the same index and two calls were read as one.
func TestRestartedBlockIsANewToolCall(t *testing.T) {
	t.Parallel()
	start := func(i int, id string) string {
		return "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":" + string(rune('0'+i)) +
			",\"content_block\":{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"f\",\"input\":{}}}\n\n"
	}
	data := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n" +
		start(0, "a") + start(0, "b") + start(1, "c") +
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	s := &stream{body: calltest.BodyOf("anthropic", []byte(data)), name: "anthropic", model: "m", tools: map[int]int32{}}
	defer s.Close()
	seen := map[int32]string{}
	for {
		c, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range c.GetToolCallDeltas() {
			if prev, ok := seen[d.GetIndex()]; ok {
				t.Errorf("calls %s and %s share index %d", prev, d.GetId(), d.GetIndex())
			}
			seen[d.GetIndex()] = d.GetId()
		}
	}
	if len(seen) != 3 {
		t.Errorf("%d tool calls, want 3: %v", len(seen), seen)
	}
}
