package auth_test

import (
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// TestOneSpellingPerToken: a token has one spelling. Go's base64 decoders skip CR and
// LF even in strict mode, so a line break inside the signature segment left the
// signed input alone and the signature decoded the same: one token verified in
// endless spellings, each a cache entry of its own and a signature check (VerifyToken
// serves transports other than HTTP headers, which cannot carry line breaks).
func TestOneSpellingPerToken(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	for _, alg := range []string{authtest.RS256, authtest.ES256, authtest.EdDSA} {
		tok := b.iss.MintWith(alg, authtest.Claims{"sub": "alice"})
		if _, err := a.VerifyToken(t.Context(), tok); err != nil {
			t.Fatalf("%s: valid token refused: %v", alg, err)
		}
		h, p, s := splitToken(t, tok)
		for name, spelled := range map[string]string{
			"LF in signature":      h + "." + p + "." + s[:10] + "\n" + s[10:],
			"CRLF in signature":    h + "." + p + "." + s[:10] + "\r\n" + s[10:],
			"CR ending signature":  tok + "\r",
			"LF ending signature":  tok + "\n",
			"LF in payload":        h + "." + p[:5] + "\n" + p[5:] + "." + s,
			"LF starting header":   "\n" + tok,
			"space in signature":   h + "." + p + "." + s[:10] + " " + s[10:],
			"tab ending signature": tok + "\t",
		} {
			if _, err := a.VerifyToken(t.Context(), spelled); auth.ReasonOf(err) != auth.ReasonMalformed {
				t.Errorf("%s, %s: err = %v, want reason %q", alg, name, err, auth.ReasonMalformed)
			}
		}
	}
}
