package flags

// ParseEnv and DecodeJSON expose the value parsers to the fuzz test; k is 0-4
// (boolean, string, integer, float, object).
func ParseEnv(k int, s string) (any, error)     { return parseEnv(kind(k%5), s) }
func DecodeJSON(k int, raw []byte) (any, error) { return decodeJSON(kind(k%5), raw) }
