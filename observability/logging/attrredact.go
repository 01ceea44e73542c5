package logging

import "github.com/footingdev/footing/observability/internal/attrredact"

func init() {
	attrredact.Attrs = defaultRedactor.attrs
}
