package adr

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/validation"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
)

// The checks here complete the protos' validation rules with what they cannot say and
// Postgres would refuse with an error that maps to Internal: a NUL byte in text
// (SQLSTATE 22021: a text column cannot hold 0x00), text that is not UTF-8, and an id
// that is not a UUID where the column is uuid. They run in the service, so that a
// caller that skips the validation interceptor (a test, a job, another transport) gets
// the same InvalidArgument. Refusals use the validation interceptor's reason and name
// the field by its request path.

// textViolation describes why s cannot be stored as text, or "" if it can.
func textViolation(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain NUL (U+0000) characters"
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	}
	return ""
}

func violation(field, description, rule string) *commonv1.BadRequest_FieldViolation {
	return &commonv1.BadRequest_FieldViolation{Field: field, Description: description, Reason: rule}
}

func invalid(violations []*commonv1.BadRequest_FieldViolation) error {
	if len(violations) == 0 {
		return nil
	}
	return errs.InvalidArgument(validation.Reason, "the request is invalid",
		errs.WithDomain(Domain), errs.WithFieldViolations(violations...))
}

// checkADR reports every field of a that Postgres could not store.
func checkADR(a *adrv1.ADR) error {
	var out []*commonv1.BadRequest_FieldViolation
	for _, f := range []struct{ name, value string }{
		{"adr.title", a.GetTitle()}, {"adr.context", a.GetContext()},
		{"adr.decision", a.GetDecision()}, {"adr.consequences", a.GetConsequences()},
	} {
		if d := textViolation(f.value); d != "" {
			out = append(out, violation(f.name, d, "string.text"))
		}
	}
	for i, tag := range a.GetTags() {
		if d := textViolation(tag); d != "" {
			out = append(out, violation(fmt.Sprintf("adr.tags[%d]", i), d, "string.text"))
		}
	}
	if s := a.GetSupersededBy(); s != "" {
		if _, err := canonicalID(s); err != nil {
			out = append(out, violation("adr.superseded_by", "must be the id (a UUID) of the ADR that replaces this one", "string.uuid"))
		}
	}
	return invalid(out)
}

// canonicalID returns id in the one spelling Postgres returns it in (lower case,
// hyphenated), so that cache keys of one ADR are the same whatever spelling a caller
// used; an id that is not a UUID is an error.
func canonicalID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// withCanonicalIDs returns a copy of a (which checkADR accepted) with its id and
// superseded_by in their canonical spelling, or a itself when they are already: the
// store compares them and hands them to Postgres, which reads neither a URN nor braces
// in every position, and must see one ADR in every spelling.
func withCanonicalIDs(a *adrv1.ADR) *adrv1.ADR {
	id, sup := canonicalOr(a.GetId()), canonicalOr(a.GetSupersededBy())
	if id == a.GetId() && sup == a.GetSupersededBy() {
		return a
	}
	out := proto.CloneOf(a)
	out.Id, out.SupersededBy = id, sup
	return out
}

// canonicalOr returns id's canonical spelling, or id itself when it is not a UUID.
func canonicalOr(id string) string {
	if c, err := canonicalID(id); err == nil {
		return c
	}
	return id
}

// idArg returns the canonical form of the request's id field, or InvalidArgument
// naming it.
func idArg(field, id string) (string, error) {
	c, err := canonicalID(id)
	if err != nil {
		return "", invalid([]*commonv1.BadRequest_FieldViolation{violation(field, "value must be a valid UUID", "string.uuid")})
	}
	return c, nil
}

// checkTagFilter refuses a ListADRs tag filter Postgres could not compare.
func checkTagFilter(tag string) error {
	if d := textViolation(tag); d != "" {
		return invalid([]*commonv1.BadRequest_FieldViolation{violation("tag", d, "string.text")})
	}
	return nil
}
