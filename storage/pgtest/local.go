package pgtest

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// AllowRemoteEnv names the environment variable that, set to "1", lets pgtest use a
// cluster whose host is not local. pgtest gives footing's roles LOGIN and a known
// password (the role name) on the cluster TEST_DATABASE_URL names; on a shared or
// production cluster that is a door anyone can walk through.
const AllowRemoteEnv = "FOOTING_PGTEST_ALLOW_REMOTE"

// checkLocal returns an error unless every host a connection to rawURL may use is local —
// in 127.0.0.0/8, ::1, "localhost" or a unix socket directory — or allowRemote is set. The
// hosts are pgx's own reading of the URL (host=, several hosts, PGHOST when the URL has
// none), and nothing is dialled or looked up. The error names the host, never the URL.
func checkLocal(rawURL string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	cfg, err := pgconn.ParseConfig(rawURL)
	if err != nil {
		// pgconn's message quotes the connection string (password redacted); say less.
		return errors.New("TEST_DATABASE_URL is not a valid postgres:// URL")
	}
	hosts := []string{cfg.Host}
	for _, fb := range cfg.Fallbacks {
		hosts = append(hosts, fb.Host)
	}
	for _, h := range hosts {
		if !isLocalHost(h) {
			return fmt.Errorf("TEST_DATABASE_URL names host %q, which is not local: pgtest gives footing's roles LOGIN "+
				"and a known password on the cluster it uses, so it runs only against 127.0.0.0/8, ::1, localhost or a "+
				"unix socket; set %s=1 to use this cluster anyway", h, AllowRemoteEnv)
		}
	}
	return nil
}

// isLocalHost reports whether host, as pgconn parsed it, is this machine.
func isLocalHost(host string) bool {
	if strings.HasPrefix(host, "/") { // a unix socket directory
		return true
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}
