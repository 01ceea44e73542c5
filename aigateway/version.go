package aigateway

// Version is the semantic version of the aigateway module. The release script
// (scripts/release) keeps it in step with the module's aigateway/vX.Y.Z tag.
const Version = "0.1.0"
