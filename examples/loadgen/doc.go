// Package loadgen drives a service at a fixed request rate for a fixed time and
// reports throughput, latency percentiles, errors and the peak resident memory of
// the server processes. It is open-loop: requests start on schedule whatever the
// latency of earlier ones, up to a bound on requests in flight, so a slow server
// shows up as latency and as "late" starts instead of silently lowering the rate.
package loadgen
