package call

import (
	"strings"

	"github.com/footingdev/footing/contracts/errs"
)

// Problems collects a Config's problems so Validate reports them all at once.
type Problems struct {
	opts []errs.Option
	msgs []string
}

// Add records that field is wrong.
func (p *Problems) Add(field, description string) {
	p.opts = append(p.opts, errs.WithFieldViolation(field, description, "INVALID_CONFIG"))
	p.msgs = append(p.msgs, field+": "+description)
}

// Err returns nil without problems, else one InvalidArgument error naming each.
func (p *Problems) Err(pkg string) error {
	if len(p.msgs) == 0 {
		return nil
	}
	return errs.InvalidArgument("INVALID_CONFIG", pkg+" config: "+strings.Join(p.msgs, "; "), p.opts...)
}
