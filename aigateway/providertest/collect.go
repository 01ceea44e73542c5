package providertest

import (
	"errors"
	"io"
	"strings"

	"github.com/footingdev/footing/aigateway/provider"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A Collected is a whole stream read back: the text, the tool calls assembled by
// index, and the final chunk's finish reason and usage.
type Collected struct {
	Chunks    []*aiv1.ChatChunk
	Text      string
	ToolCalls []*aiv1.ToolCall // by index
	Finish    aiv1.FinishReason
	// Usage is the usage of the last chunk that carried one.
	Usage *aiv1.Usage
	// Err is the error that ended the stream; nil at a clean io.EOF.
	Err error
}

// Collect reads s to its end and closes it.
func Collect(s provider.Stream) Collected {
	defer func() { _ = s.Close() }()
	var c Collected
	var text strings.Builder
	args := map[int32]*strings.Builder{}
	for {
		ch, err := s.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.Err = err
			}
			break
		}
		c.Chunks = append(c.Chunks, ch)
		text.WriteString(ch.GetDeltaText())
		for _, d := range ch.GetToolCallDeltas() {
			for int(d.GetIndex()) >= len(c.ToolCalls) {
				c.ToolCalls = append(c.ToolCalls, &aiv1.ToolCall{})
			}
			tc := c.ToolCalls[d.GetIndex()]
			if d.GetId() != "" {
				tc.Id = d.GetId()
			}
			if d.GetName() != "" {
				tc.Name = d.GetName()
			}
			b := args[d.GetIndex()]
			if b == nil {
				b = &strings.Builder{}
				args[d.GetIndex()] = b
			}
			b.WriteString(d.GetArgumentsDelta())
		}
		if ch.GetFinishReason() != aiv1.FinishReason_FINISH_REASON_UNSPECIFIED {
			c.Finish = ch.GetFinishReason()
		}
		if ch.GetUsage() != nil {
			c.Usage = ch.GetUsage()
		}
	}
	for i, tc := range c.ToolCalls {
		if b := args[int32(i)]; b != nil {
			tc.Arguments = b.String()
		}
	}
	c.Text = text.String()
	return c
}
