package openaicompat

import (
	"strconv"
	"strings"

	"buf.build/go/protovalidate"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/validation"
)

// An Option configures the [Handler] built by [New].
type Option func(*Handler)

// WithValidator checks requests with v instead of protovalidate's global validator
// (the one contracts/validation's interceptor uses by default). Pass the validator
// given to the Connect service's interceptor so that both endpoints enforce the same
// rules. A nil v is ignored.
func WithValidator(v protovalidate.Validator) Option {
	return func(h *Handler) {
		if v != nil {
			h.validator = v
		}
	}
}

// validate checks req against the protovalidate rules of ai/v1, as the Connect
// service's validation interceptor does, and reports each broken rule as an
// InvalidArgument field violation named the way the OpenAI request names the field.
func validate(v protovalidate.Validator, req *aiv1.ChatRequest, in *chatRequest) error {
	err := validation.ToError(v.Validate(req))
	if err == nil {
		return nil
	}
	d := errs.From(err)
	if len(d.FieldViolations) == 0 {
		return err // a rule that does not compile: Internal, not the caller's fault
	}
	violations := make([]*commonv1.BadRequest_FieldViolation, 0, len(d.FieldViolations))
	msgs := make([]string, 0, len(d.FieldViolations))
	for _, fv := range d.FieldViolations {
		field := openAIParam(fv.GetField(), in)
		violations = append(violations, &commonv1.BadRequest_FieldViolation{Field: field, Description: fv.GetDescription(), Reason: fv.GetReason()})
		msgs = append(msgs, field+" "+fv.GetDescription())
	}
	n := len(msgs)
	if total, err := strconv.Atoi(d.Metadata["violations"]); err == nil && total > n {
		n = total // the interceptor's bound: the first validation.MaxViolations are listed
	}
	return invalid(msgs, n, errs.WithFieldViolations(violations...))
}

// openAIParam maps a field path of the ai/v1 ChatRequest (as protovalidate writes
// it) to the parameter of the OpenAI request it came from. The decoder keeps indexes
// aligned: messages[i] is the i-th message, and a message's content parts are either
// its one string (content[0]) or its array's parts in order.
func openAIParam(path string, in *chatRequest) string {
	switch {
	case path == "max_tokens" && in != nil && in.MaxCompletionTokens != nil:
		return "max_completion_tokens"
	case strings.HasPrefix(path, "metadata"):
		return "user"
	case strings.HasPrefix(path, "tool_choice"):
		return "tool_choice"
	case path == "response_format.name":
		return "response_format.json_schema.name"
	case strings.HasPrefix(path, "tools["):
		if i := strings.IndexByte(path, ']'); i > 0 && i+1 < len(path) && path[i+1] == '.' && !strings.HasPrefix(path[i+2:], "function.") {
			return path[:i+1] + ".function." + path[i+2:]
		}
	case strings.HasPrefix(path, "messages["):
		// A tool message's content is one tool result carrying tool_call_id.
		if i := strings.Index(path, ".content["); i > 0 {
			if j := strings.Index(path, "].tool_result."); j > i {
				return path[:i] + "." + path[j+len("].tool_result."):]
			}
			return strings.Replace(path, "].image.", "].image_url.", 1)
		}
	}
	return path
}
