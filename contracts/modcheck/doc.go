// Package modcheck holds the house rules every footing module tests itself against:
// [Imports] checks the module's imports against ARCHITECTURE.md (which sibling
// modules it may import, which heavy third-party modules must never reach its build
// graph), and [Version] checks that its Version constant is valid semver.
//
// Each module has a deptest_test.go and a version_test.go that call them.
package modcheck
