package config_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/config"
)

// TestParseFileSkipsAByteOrderMark: editors on Windows save .env files with a UTF-8
// byte order mark; the first variable then failed as "line 1: invalid variable
// name", and the service did not start.
func TestParseFileSkipsAByteOrderMark(t *testing.T) {
	t.Parallel()
	vars, err := config.ParseFile(strings.NewReader("\ufeffADDR=127.0.0.1:9000\r\nDEBUG=true\r\n"))
	if err != nil || vars["ADDR"] != "127.0.0.1:9000" || vars["DEBUG"] != "true" {
		t.Fatalf("got %q, %v", vars, err)
	}
}
