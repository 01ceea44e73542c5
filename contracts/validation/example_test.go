package validation_test

import (
	"fmt"

	"buf.build/go/protovalidate"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/validation"
)

func ExampleToError() {
	// The interceptor does this for every request; ToError is the mapping it uses.
	err := validation.ToError(protovalidate.Validate(&commonv1.PageRequest{PageSize: 5000}))
	d := errs.From(err)
	fmt.Println(d.Code, d.FieldViolations[0].GetField(), d.FieldViolations[0].GetReason())
	// Output: invalid_argument page_size int32.gte_lte
}
