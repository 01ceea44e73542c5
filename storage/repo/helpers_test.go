package repo_test

import (
	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

func errsFieldViolations(err error) []*commonv1.BadRequest_FieldViolation {
	return errs.From(err).FieldViolations
}
