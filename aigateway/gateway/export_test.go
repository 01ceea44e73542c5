package gateway

// Buffered is how many chunks s holds for the cache.
func Buffered(s *Stream) int { return len(s.buf) }

// EstimateInput is estimateInput.
var EstimateInput = estimateInput
