// Package jobs runs background jobs with River on the service's Postgres, carrying the
// caller's tenant from the request into the worker.
//
// [New] builds a River client from a pool (connected as rls.AppRole) and a [Config]. Its
// insert middleware stamps the Principal, the request id and the W3C trace context of the
// enqueuing ctx into the job's metadata; its worker middleware restores them into the
// worker's ctx, so that rls.InTenant in a worker runs under the same tenant's row-level
// security and the worker's span links to the request's trace. [Client.Enqueue] inserts in
// the caller's transaction: a job enqueued in a transaction that rolls back never exists.
// River's unique jobs (UniqueOpts) are unique within the enqueuer's tenant: the unique key
// is bound to it, so one tenant's job never makes another tenant's a duplicate.
//
// Every attempt gets a consumer span and the metrics of observability/semconv (JobDuration,
// JobAttempts, JobFailures, and JobQueueDepth observed from river_job). A worker that
// panics fails its attempt like one that returns an error (counted, span marked, retried
// by the RetryPolicy): the panic is logged with a fresh error id and the stack, and the
// error River records names only that id — the panic value, which can quote the job's
// arguments, is not logged (a runtime error's message is) and not stored in the job row;
// a River ErrorHandler sees HandleError, not HandlePanic. [Client.Stop] drains
// running jobs until a deadline, then cancels them; cancelled attempts are retried
// (at-least-once). [Client.Ready] is a readiness check. River's schema is created by
// storage/migrate.
//
// [Client.Get], [Client.List], [Client.Cancel] and [Client.Retry] act for the tenant of
// ctx's Principal, read as rls.InTenant reads it: they see only jobs enqueued under that
// tenant (the stamp records it in canonical form; metadata passed at insert cannot claim
// one). Another tenant's job, and a job enqueued without a tenant (periodic and system
// jobs), is NotFound ([ReasonJobNotFound]) word for word as a missing one; a ctx without a
// tenant gets rls.InTenant's error (Unauthenticated NO_PRINCIPAL, FailedPrecondition
// NO_TENANT or TENANT_ID_INVALID), never every tenant's jobs. List pages with signed page
// tokens ([Config.PageTokenKey]). [Client.River] is the cross-tenant escape hatch, for
// operators and system code.
package jobs
