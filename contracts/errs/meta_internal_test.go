package errs

import (
	"errors"
	"testing"

	"connectrpc.com/connect"
)

// TestHasMetaSeesConnectsField: hasMeta reads connect-go's unexported header field;
// if an upgrade renamed it, hasMeta would fall back to true for every error and
// Normalize would again create the map of shared errors. This notices.
func TestHasMetaSeesConnectsField(t *testing.T) {
	t.Parallel()
	cerr := connect.NewError(connect.CodeNotFound, errors.New("gone"))
	if hasMeta(cerr) {
		t.Fatal("hasMeta: true for an error without headers (connect.Error's meta field renamed?)")
	}
	cerr.Meta().Set("X-A", "1")
	if !hasMeta(cerr) {
		t.Fatal("hasMeta: false for an error with headers")
	}
}
