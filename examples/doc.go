// Package examples is footing's reference service: an Architecture Decision Record service for
// many tenants, wired from every other footing module. It is meant to be copied, and is never
// released.
package examples
