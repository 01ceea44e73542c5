package routepath_test

import (
	"fmt"

	"github.com/footingdev/footing/gatewaycore/internal/routepath"
)

func ExampleClean() {
	for _, p := range []string{"//pkg.Svc/Method", "/public/../admin", "/api//"} {
		fmt.Println(routepath.Clean(p))
	}
	// Output:
	// /pkg.Svc/Method
	// /admin
	// /api/
}
