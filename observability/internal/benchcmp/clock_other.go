//go:build !linux

package benchcmp

import "time"

var epoch = time.Now()

// threadTime falls back to wall time where thread CPU time is not available.
func threadTime() int64 { return int64(time.Since(epoch)) }
