package logging

import "github.com/footingdev/footing/observability/internal/secretkey"

func init() {
	secretkey.New = func(extra []string) func(string) bool {
		return newRedactor(extra).secretKey
	}
}
