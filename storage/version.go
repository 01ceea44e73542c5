package storage

// Version is the semantic version of the storage module. The release script
// (scripts/release) keeps it in step with the module's storage/vX.Y.Z tag.
const Version = "0.1.0"
