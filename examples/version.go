package examples

// Version is the semantic version of the examples module. The release script
// (scripts/release) keeps it in step with the module's examples/vX.Y.Z tag.
const Version = "0.1.0"
