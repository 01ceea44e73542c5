// Package clikit is a library for product command-line tools on cobra: output formats,
// configuration, progress and generated docs, with examples that run as tests.
package clikit
