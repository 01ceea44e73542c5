package config_test

import (
	"fmt"
	"time"

	"github.com/footingdev/footing/gatewaycore/config"
)

func Example() {
	type Config struct {
		Addr     string        `env:"ADDR" default:"127.0.0.1:8080"`
		Timeout  time.Duration `env:"TIMEOUT" default:"5s"`
		Password string        `env:"DB_PASSWORD" required:"true" secret:"true"`
		Workers  int           `env:"WORKERS" default:"4"`
	}
	environment := map[string]string{"ADRS_TIMEOUT": "forever", "ADRS_WORKERS": "8"}
	lookup := func(k string) (string, bool) { v, ok := environment[k]; return v, ok }

	var c Config
	err := config.Load(&c, config.WithPrefix("ADRS_"), config.WithLookup(lookup))
	fmt.Println(err)
	// Output:
	// config: 2 problem(s)
	//   ADRS_TIMEOUT: invalid duration: want a duration such as "250ms" or "1m30s"
	//   ADRS_DB_PASSWORD: required but not set
}
