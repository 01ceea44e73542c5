// Package flags is an OpenFeature provider (github.com/open-feature/go-sdk) for
// feature flags with defaults from the environment and overrides per tenant and per
// user in Postgres.
//
// A flag resolves to the first of: the override for the Principal's user in its
// tenant, the override for its tenant, the environment variable FEATURE_<NAME>
// ([EnvName]), and the caller's default. Overrides live in feature_flag_overrides
// (storage/migrate migration 00011) under tenant row-level security and are read in an
// rls.InTenant transaction, so one tenant's overrides never reach another. Resolved
// overrides are cached (storage/cache, tenant-namespaced) and invalidated by tag on
// every write through the [Provider]. A write reports whether the override was written:
// if it committed but the cache refuses the invalidation (after three tries), the write
// returns nil, the failure is logged at Warn without the value ([WithLogger]), and the
// stale entries expire with the cache TTL ([WithCacheTTL]).
//
// Who the user is comes from the Principal (contracts/identity) alone. The
// OpenFeature evaluation context, targeting key included, is supplied by the caller and
// is ignored: a Principal without a user id gets the tenant's override, never a user's.
package flags
