package validation_test

import (
	"math"
	"strings"
	"testing"

	"buf.build/go/protovalidate"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/validation"
)

// TestPageRequestExtremes: page sizes outside 0..1000 and page tokens over 2048
// characters are refused before a listing sees them, on the paths a listing's own
// refusals use (errs.PageTokenField), and the refusal does not echo the token.
func TestPageRequestExtremes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		page  *commonv1.PageRequest
		field string // "" for a valid page
	}{
		{"zero size is the default", &commonv1.PageRequest{PageSize: 0}, ""},
		{"max size", &commonv1.PageRequest{PageSize: 1000}, ""},
		{"over max", &commonv1.PageRequest{PageSize: 1001}, "page.page_size"},
		{"max int32", &commonv1.PageRequest{PageSize: math.MaxInt32}, "page.page_size"},
		{"negative", &commonv1.PageRequest{PageSize: -1}, "page.page_size"},
		{"min int32", &commonv1.PageRequest{PageSize: math.MinInt32}, "page.page_size"},
		{"longest token", &commonv1.PageRequest{PageToken: strings.Repeat("A", 2048)}, ""},
		{"oversized token", &commonv1.PageRequest{PageToken: "secret-" + strings.Repeat("A", 2048)}, errs.PageTokenField},
		// max_len counts characters: a token of 2049 four-byte characters is refused,
		// but 2048 of them (8 KiB) pass, so listings still bound the bytes they decode.
		{"oversized multibyte token", &commonv1.PageRequest{PageToken: "secret-" + strings.Repeat("\U0001F600", 2048)}, errs.PageTokenField},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := validation.ToError(protovalidate.GlobalValidator.Validate(&aiv1.ListModelsRequest{Page: tc.page}))
			d := errs.From(err)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid page refused: %+v", d)
				}
				return
			}
			if len(d.FieldViolations) != 1 || d.FieldViolations[0].GetField() != tc.field {
				t.Fatalf("details = %+v", d)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(d.FieldViolations[0].String(), "secret") {
				t.Fatalf("the refusal echoes the token: %v", d.FieldViolations[0])
			}
		})
	}
}

// TestInvalidPageTokenSaysNothingMore: InvalidPageToken carries only what the
// listing chose to say, and never writes into the options slice it was given
// (shared by concurrent callers).
func TestInvalidPageTokenSaysNothingMore(t *testing.T) {
	t.Parallel()
	shared := make([]errs.Option, 1, 8)
	shared[0] = errs.WithRequestID("r1")
	a := errs.InvalidPageToken("invalid", shared...)
	b := errs.InvalidPageToken("expired", shared...)
	for _, err := range []error{a, b} {
		d := errs.From(err)
		if d.Reason != errs.ReasonPageTokenInvalid || len(d.FieldViolations) != 1 ||
			d.FieldViolations[0].GetField() != errs.PageTokenField || d.RequestID != "r1" {
			t.Fatalf("details = %+v", d)
		}
	}
	if errs.From(a).FieldViolations[0].GetDescription() != "invalid" {
		t.Fatal("a later call changed an earlier error's violation")
	}
}
