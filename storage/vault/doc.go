// Package vault stores OAuth tokens per tenant, encrypted, and hands them out as
// refreshing oauth2.TokenSources.
//
// Tokens are sealed with AES-256-GCM under a [Keyring] of keys with ids: new writes
// use the active key, every key in the ring still opens what it sealed, and
// [Vault.Rotate] / [Vault.RotateAll] re-seal old rows under the active key, in batches
// of rows each in a transaction of its own, skipping (and reporting by id) rows that the
// keyring cannot open. The ciphertext is bound to its tenant, account and key id (GCM
// additional data), so a sealed value moved to another row does not open. Rows live in the oauth_tokens table
// (storage/migrate migration 00010) under tenant row-level security, and every call runs
// in an rls.InTenant transaction for the Principal in the context.
//
// [Vault.TokenSource] refreshes a token that is about to expire through
// golang.org/x/oauth2 and stores the new one in the transaction that locked the row;
// concurrent refreshes of one account collapse into one call to the token endpoint,
// within a process (single flight) and across processes (SELECT ... FOR UPDATE, then
// a re-check).
//
// A [Token] never prints its secrets: String, Format, LogValue and MarshalJSON redact
// them. Errors never carry token material or token-endpoint response bodies.
package vault
