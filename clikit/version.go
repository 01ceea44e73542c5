package clikit

// Version is the semantic version of the clikit module. The release script
// (scripts/release) keeps it in step with the module's clikit/vX.Y.Z tag.
const Version = "0.1.0"
