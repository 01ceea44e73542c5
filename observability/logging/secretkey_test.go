package logging

import (
	"testing"

	"github.com/footingdev/footing/observability/internal/secretkey"
)

// TestSecretKeyAsTheHandlerJudges: the function package instrument gets
// through secretkey.New judges a key as a Handler with the same extra keys
// does (DefaultSecretKeys, the suffix and word rules, any case and separators,
// and the extra keys), and keeps judging names outside them as not secret.
func TestSecretKeyAsTheHandlerJudges(t *testing.T) {
	t.Parallel()
	if secretkey.New == nil {
		t.Fatal("logging did not set secretkey.New")
	}
	secret := secretkey.New([]string{"code", "AWSAccessKeyId"})
	r := newRedactor([]string{"code", "AWSAccessKeyId"})
	for _, k := range []string{
		"token", "Access-Token", "access_token", "api_key", "X-Api-Key", "password", "user[password]", "client_secret",
		"sig", "Signature", "X-Goog-Signature", "X-Amz-Signature", "X-Amz-Security-Token", "jsessionid",
		"code", "CODE", "AWSAccessKeyId", "awsaccesskeyid",
		"page", "sort", "state", "error_code", "Expires", "X-Goog-Date", "input_tokens", "q",
	} {
		if got, want := secret(k), r.secretKey(k); got != want {
			t.Errorf("secretkey.New(...)(%q) = %v, the handler's %v", k, got, want)
		}
	}
	for k, want := range map[string]bool{"code": true, "X-Goog-Signature": true, "AWSAccessKeyId": true, "page": false, "error_code": false} {
		if got := secret(k); got != want {
			t.Errorf("secretkey.New(...)(%q) = %v, want %v", k, got, want)
		}
	}
	if secretkey.New(nil)("code") {
		t.Error(`"code" is secret without being asked for`)
	}
}
