// Package config loads a service's Config structs from the environment (12-factor)
// and an optional env file, driven by struct tags:
//
//	type Config struct {
//		Addr     string        `env:"ADDR" default:"127.0.0.1:8080"`
//		Timeout  time.Duration `env:"TIMEOUT" default:"5s"`
//		Password string        `env:"DB_PASSWORD" required:"true" secret:"true"`
//		Redis    RedisConfig   `prefix:"REDIS_"` // nested: REDIS_URL, ...
//	}
//
// [Load] fills the struct (environment over file over default; a variable set to
// the empty string counts as not set), then calls its
// Validate method if it has one, and reports every missing or invalid variable at
// once, by name. Values of fields tagged secret:"true" never appear in errors or in
// [Describe]'s output.
//
// Supported field types: string, bool, every int, uint and float kind,
// time.Duration, []string (comma-separated), and any encoding.TextUnmarshaler.
// Nested structs are entered, by value only: Load reports a field tagged env of
// another type, and a pointer to a struct with env tags, on every call, set or not.
package config
