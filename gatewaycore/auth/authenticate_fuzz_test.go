package auth_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// FuzzAuthenticate feeds arbitrary credential headers to a real Authenticator (with an
// in-process issuer and an API-key store): it must never panic or accept, every
// refusal must carry a Reason, and neither errors nor logs may repeat the credential.
func FuzzAuthenticate(f *testing.F) {
	iss := authtest.NewIssuer()
	defer iss.Close()
	var logs bytes.Buffer
	keys := &auth.MemoryAPIKeyStore{}
	_, stored, err := auth.NewAPIKey("", "t", nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	keys.Put(stored)
	a, err := auth.New(auth.Config{
		Issuers:    []auth.IssuerConfig{iss.Config()},
		APIKeys:    keys,
		HTTPClient: iss.Client(),
		Logger:     slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		f.Fatal(err)
	}
	defer a.Close()
	policy, err := auth.NewPolicy(map[string]auth.Rule{"/x": auth.Authenticated()})
	if err != nil {
		f.Fatal(err)
	}
	valid := iss.Mint(authtest.Claims{"sub": "fuzz"})
	h, p, _ := strings.Cut(valid, ".")
	for _, seed := range [][2]string{
		{"Bearer " + valid[:len(valid)-2] + "AA", ""},
		{"Bearer " + h + "." + p + ".", ""},
		{"bearer  fk_" + stored.ID + "_wrongsecret", ""},
		{"", "fk_" + stored.ID + "_" + strings.Repeat("x", 43)},
		{"Basic dXNlcjpwYXNz", ""},
		{"Bearer", ""},
		{"Bearer eyJ.eyJ.x", "fk_"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, authz, apiKey string) {
		hdr := http.Header{}
		if authz != "" {
			hdr.Set("Authorization", authz)
		}
		if apiKey != "" {
			hdr.Set("X-API-Key", apiKey)
		}
		logs.Reset()
		p, err := a.Authenticate(context.Background(), hdr)
		if err == nil {
			t.Fatalf("fuzzed credential accepted: %v", p)
		}
		if auth.ReasonOf(err) == "" {
			t.Fatalf("refusal without a reason: %v", err)
		}
		if _, err := a.Authorize(context.Background(), policy, "/x", hdr); err == nil || err.Error() != "unauthenticated: unauthenticated" {
			t.Fatalf("Authorize answered %v, want the one Unauthenticated error", err)
		}
		if !strings.Contains(logs.String(), "reason=") {
			t.Fatalf("refusal not logged with its reason: %q", logs.String())
		}
		for _, secret := range []string{authz, apiKey} {
			if len(secret) >= 8 && (strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret)) {
				t.Fatalf("credential %q leaked into the error or the log", secret)
			}
		}
	})
}
