// Package pgtest gives each test its own Postgres database, migrated and with footing's roles,
// dropped when the test ends; safe for t.Parallel.
//
// It reads TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable),
// which must name a superuser, because it creates the roles [rls.OwnerRole], [rls.AppRole] and
// [rls.SystemRole] (cluster-wide, LOGIN, password = role name; created once and race-safely
// under an advisory lock) and databases. Migrations run once per distinct migration set into a
// template database (footing_tmpl_<hash>_<date>, kept as a cache and dropped after a day or
// two); each test's database is a copy of it.
//
// Because those roles get LOGIN and a known password, pgtest refuses (before connecting) a
// TEST_DATABASE_URL whose host is not local — 127.0.0.0/8, ::1, localhost or a unix socket
// directory, every host of a multi-host URL, PGHOST when the URL names none — unless
// [AllowRemoteEnv] (FOOTING_PGTEST_ALLOW_REMOTE) is "1". The error names the host and the
// opt-in.
package pgtest
