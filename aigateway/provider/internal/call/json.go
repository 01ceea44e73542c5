package call

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/footingdev/footing/aigateway/provider"
)

// NewJSONRequest builds a POST of v as JSON to url.
func NewJSONRequest(name, url string, v any) (*http.Request, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, &provider.Error{Provider: name, Kind: provider.KindInvalidRequest, Message: "cannot encode the request", Err: err}
	}
	req, err := http.NewRequest(http.MethodPost, url, &buf)
	if err != nil {
		return nil, &provider.Error{Provider: name, Kind: provider.KindInvalidRequest, Message: "bad provider URL", Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// GetJSON sends req and decodes a 2xx JSON body into v.
func GetJSON(resp *http.Response, name string, v any) error {
	defer resp.Body.Close()
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 64<<20)).Decode(v); err != nil {
		return &provider.Error{Provider: name, Kind: provider.KindServer, Type: "malformed_response", Message: "cannot decode the response", Err: err}
	}
	return nil
}
