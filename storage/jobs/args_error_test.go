package jobs

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// TestWithoutArgValuesKeepsWhatRiverReads: only a decoder's error returned as it is is
// replaced; an error that wraps one — river.JobCancel's, a worker's own words — is left
// alone, so River still cancels or snoozes the job as the worker asked.
func TestWithoutArgValuesKeepsWhatRiverReads(t *testing.T) {
	t.Parallel()
	var v struct {
		N int8 `json:"n"`
	}
	decodeErr := json.Unmarshal([]byte(`{"n":4111111111111111}`), &v)
	if decodeErr == nil {
		t.Fatal("the premise is a decoding error")
	}
	got := withoutArgValues(decodeErr)
	if strings.Contains(got.Error(), "4111111111111111") || !strings.Contains(got.Error(), "field n") {
		t.Fatalf("bare decoding error became %q; want the field without the value", got)
	}
	cancel := river.JobCancel(decodeErr)
	var ce *rivertype.JobCancelError
	if got := withoutArgValues(cancel); got != cancel || !errors.As(got, &ce) { //nolint:errorlint // the very same error is wanted
		t.Fatalf("river.JobCancel(...) became %v; want it unchanged", got)
	}
	plain := errors.New("upstream said no")
	if got := withoutArgValues(plain); got != plain { //nolint:errorlint // the very same error is wanted
		t.Fatalf("a worker's error became %v", got)
	}
}
