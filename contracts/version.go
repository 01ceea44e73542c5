package contracts

// Version is the semantic version of the contracts module. The release script
// (scripts/release) keeps it in step with the module's contracts/vX.Y.Z tag.
const Version = "0.1.0"
