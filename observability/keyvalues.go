package observability

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ParseKeyValues parses the W3C Baggage-style list that OTEL_RESOURCE_ATTRIBUTES
// and OTEL_EXPORTER_OTLP_HEADERS use: comma-separated key=value pairs, values
// percent-encoded, spaces around items ignored. An empty string is an empty
// (nil) map. A malformed pair is an error that names its position, not its value.
func ParseKeyValues(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := map[string]string{}
	var problems []error
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			problems = append(problems, fmt.Errorf("item %d is not key=value", i+1))
			continue
		}
		if strings.ContainsFunc(k, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '"' }) {
			problems = append(problems, fmt.Errorf("item %d has a key with spaces, quotes or control characters", i+1))
			continue
		}
		dv, err := url.PathUnescape(v)
		if err != nil {
			problems = append(problems, fmt.Errorf("item %d has a badly percent-encoded value", i+1))
			continue
		}
		m[k] = dv
	}
	return m, errors.Join(problems...)
}
