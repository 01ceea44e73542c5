package gemini

import (
	"testing"

	"github.com/footingdev/footing/aigateway/provider/internal/calltest"
)

// FuzzStream feeds arbitrary bytes to the chunk decoder: it must never panic and
// must keep the Stream contract.
func FuzzStream(f *testing.F) {
	for _, s := range []string{
		"data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 5,\"totalTokenCount\": 5},\"modelVersion\": \"m\"}\r\n\r\n" +
			"data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"f\",\"args\": {\"a\": 1}}}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 5,\"candidatesTokenCount\": 3,\"thoughtsTokenCount\": 2}}\r\n\r\n",
		"data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Spain\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 12,\"candidatesTokenCount\": 9,\"totalTokenCount\": 331,\"toolUsePromptTokenCount\": 214,\"toolUsePromptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 214}],\"thoughtsTokenCount\": 96}}\r\n\r\n",
		"data: {\"error\": {\"code\": 500,\"message\": \"x\",\"status\": \"INTERNAL\"}}\n\n",
		"data: {\"promptFeedback\": {\"blockReason\": \"SAFETY\"},\"usageMetadata\": {\"promptTokenCount\": 5}}\n\n",
		"data: {\"candidates\": [{\"finishReason\": \"SOMETHING_NEW\"}]}\n\n",
		"data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"thinking\", \"thought\": true}]}}]}\n\n",
		"data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"f\",\"args\": null}}]}}]}\n\n",
		"data: {\n\n", "data: 1\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		calltest.CheckStream(t, &stream{body: calltest.BodyOf("gemini", data), name: "gemini", model: "m"})
	})
}
