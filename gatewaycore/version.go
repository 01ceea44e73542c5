package gatewaycore

// Version is the semantic version of the gatewaycore module. The release script
// (scripts/release) keeps it in step with the module's gatewaycore/vX.Y.Z tag.
const Version = "0.1.0"
