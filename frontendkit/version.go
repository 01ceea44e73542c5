package frontendkit

// Version is the semantic version of the frontendkit module. The release script
// (scripts/release) keeps it in step with the module's frontendkit/vX.Y.Z tag.
const Version = "0.1.0"
