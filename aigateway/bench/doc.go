// Package bench holds the aigateway's headline benchmarks (in its test files): a
// streamed chat through the gateway against a direct call to the same fake upstream,
// and the memory each open stream holds. Results are in ../BENCHMARKS.md.
package bench
