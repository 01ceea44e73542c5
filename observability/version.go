package observability

// Version is the semantic version of the observability module. The release script
// (scripts/release) keeps it in step with the module's observability/vX.Y.Z tag.
const Version = "0.1.0"
