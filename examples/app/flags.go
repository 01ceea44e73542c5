package app

import (
	"context"
	"os"
	"strings"
)

// envFlags reads FEATURE_<NAME> from the environment (true/1/on).
type envFlags struct{}

func (envFlags) Enabled(_ context.Context, flag string) bool {
	name := "FEATURE_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(flag))
	switch strings.ToLower(os.Getenv(name)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}
