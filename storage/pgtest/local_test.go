package pgtest

import (
	"strings"
	"testing"
)

func TestCheckLocal(t *testing.T) {
	t.Setenv("PGHOST", "")
	for _, tc := range []struct {
		name, url string
		local     bool
		host      string // the host the refusal must name
	}{
		{"loopback IPv4", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", true, ""},
		{"elsewhere in 127/8", "postgres://postgres@127.5.6.7:5432/postgres", true, ""},
		{"localhost", "postgres://postgres@localhost/postgres", true, ""},
		{"LOCALHOST", "postgres://postgres@LOCALHOST/postgres", true, ""},
		{"loopback IPv6", "postgres://postgres@[::1]:5432/postgres", true, ""},
		{"IPv4-mapped loopback", "postgres://postgres@[::ffff:127.0.0.1]:5432/postgres", true, ""},
		{"unix socket in host=", "postgres:///postgres?host=/var/run/postgresql", true, ""},
		{"unix socket percent-encoded", "postgres://postgres@%2Ftmp/postgres", true, ""},
		{"several local hosts", "postgres://postgres@127.0.0.1:5432,localhost:5433/postgres", true, ""},
		{"remote name", "postgres://postgres@db.example.com:5432/postgres", false, "db.example.com"},
		{"private IPv4", "postgres://postgres@10.0.0.5/postgres", false, "10.0.0.5"},
		{"any address", "postgres://postgres@0.0.0.0/postgres", false, "0.0.0.0"},
		{"remote IPv6", "postgres://postgres@[2001:db8::1]:5432/postgres", false, "2001:db8::1"},
		{"localhost as a subdomain", "postgres://postgres@localhost.example.com/postgres", false, "localhost.example.com"},
		{"loopback-looking name", "postgres://postgres@127.0.0.1.nip.io/postgres", false, "127.0.0.1.nip.io"},
		{"one remote among local hosts", "postgres://postgres@127.0.0.1:5432,db.example.com:5432/postgres", false, "db.example.com"},
		{"host= overrides a local authority", "postgres://postgres@127.0.0.1/postgres?host=db.example.com", false, "db.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkLocal(tc.url, false)
			if tc.local {
				if err != nil {
					t.Fatalf("local URL refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("remote URL accepted")
			}
			if msg := err.Error(); !strings.Contains(msg, `"`+tc.host+`"`) || !strings.Contains(msg, AllowRemoteEnv+"=1") {
				t.Fatalf("refusal %q does not name the host %q and %s=1", msg, tc.host, AllowRemoteEnv)
			}
			if err := checkLocal(tc.url, true); err != nil {
				t.Fatalf("with the opt-in: %v", err)
			}
		})
	}
}

// TestCheckLocalReadsPGHOST checks a URL without a host, which libpq and pgx complete from
// PGHOST.
func TestCheckLocalReadsPGHOST(t *testing.T) {
	t.Setenv("PGHOST", "db.example.com")
	if err := checkLocal("postgres:///postgres", false); err == nil || !strings.Contains(err.Error(), `"db.example.com"`) {
		t.Fatalf("PGHOST=db.example.com: %v; want a refusal naming it", err)
	}
}

// TestCheckLocalHidesThePassword checks that a refusal does not quote the URL.
func TestCheckLocalHidesThePassword(t *testing.T) {
	t.Setenv("PGHOST", "")
	err := checkLocal("postgres://postgres:hunter2-secret@db.example.com/postgres", false)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("refusal %v", err)
	}
	err = checkLocal("postgres://postgres:hunter2-secret@db.example.com/postgres?sslmode=bogus", false)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("parse error %v", err)
	}
}
