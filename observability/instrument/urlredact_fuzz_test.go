package instrument

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// fuzzSecretKeys are query parameter names a secret may be sent under: the
// semantic conventions' four and names like secrets, as clients spell them.
var fuzzSecretKeys = []string{
	"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature", "X-Amz-Signature", "X-Amz-Security-Token",
	"token", "access_token", "refresh_token", "id_token", "api_key", "apiKey", "X-Api-Key", "key", "password",
	"secret", "code", "client_secret", "ACCESS_TOKEN", "auth[token]", "user%5Bpassword%5D", "access%5Ftoken",
}

// FuzzURLSecretsRedacted: a secret placed in a URL's user info (as the
// password or the user name), in the value of a query parameter named like a
// secret, or in a JWT-shaped, bearer or key=value path segment, never
// appears — as sent or escaped — in url.full, in the server's url.path and
// url.query, or in the path the access line is given.
func FuzzURLSecretsRedacted(f *testing.F) {
	f.Add("hunter2pass", uint8(0), uint8(0))
	f.Add("ghp_Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c", uint8(1), uint8(3))
	f.Add("Zm9vYmFyc2lnbmF0dXJl", uint8(2), uint8(1))
	f.Add("a&b=c d%zz+é\x00", uint8(2), uint8(20))
	f.Add(`{"sub":"u-42"}`, uint8(3), uint8(0))
	f.Fuzz(func(t *testing.T, secret string, where, key uint8) {
		if len(secret) < 8 {
			t.Skip() // a short secret may be part of the URL's own text
		}
		u := &url.URL{Scheme: "https", Host: "api.example.com", Path: "/v1/items", RawQuery: "page=2&sort=name"}
		forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
		switch where % 6 {
		case 0:
			u.User = url.UserPassword("svc", secret)
			forms = append(forms, url.UserPassword("svc", secret).String())
		case 1:
			u.User = url.User(secret)
			forms = append(forms, url.User(secret).String())
		case 2:
			k := fuzzSecretKeys[int(key)%len(fuzzSecretKeys)]
			u.RawQuery = "page=2&" + k + "=" + url.QueryEscape(secret) + "&sort=name"
		case 3:
			// A JWT: header, payload and signature in base64url, the
			// secret in the payload and the signature.
			b64 := base64.RawURLEncoding.EncodeToString([]byte(secret))
			jwt := "eyJhbGciOiJIUzI1NiJ9." + b64 + "." + b64
			u.Path = "/v1/reset/" + jwt + "/confirm"
			forms = []string{jwt, b64}
		case 4, 5:
			// A bearer credential, or a secret key's value, as a path
			// segment ("Bearer%20…" and "access_token%3D…" as sent).
			b64 := base64.RawURLEncoding.EncodeToString([]byte(secret))
			seg := "Bearer " + b64
			if where%6 == 5 {
				seg = "access_token=" + b64
			}
			u.Path = "/v1/t/" + seg + "/confirm"
			forms = []string{b64}
		}
		full := redactedURL(u)
		query := redactedQuery(u.RawQuery)
		path := redactedPath(u.Path)
		line := linePath(u.Path)
		for _, form := range forms {
			if len(form) < 8 || strings.Contains("https://REDACTED:REDACTED@api.example.com/v1/items/reset/confirm?page=2&sort=name&[REDACTED]", form) {
				continue
			}
			for name, got := range map[string]string{"url.full": full, "url.query": query, "url.path": path, "line path": line} {
				if strings.Contains(got, form) {
					t.Fatalf("%s %q holds the secret %q", name, got, form)
				}
			}
		}
		// The rest of the URL is kept.
		if !strings.HasPrefix(full, "https://") || !strings.Contains(full, "api.example.com/v1/") ||
			!strings.Contains(full, "?page=2&") || !strings.HasSuffix(full, "sort=name") {
			t.Fatalf("url.full %q lost the rest of the URL", full)
		}
	})
}

// FuzzRedactedQuery: any raw query, however malformed, is redacted without a
// panic, parameter for parameter (as many '&' as sent, each name kept), and
// redacting the result again changes nothing.
func FuzzRedactedQuery(f *testing.F) {
	f.Add("page=2&token=abc&sort=name")
	f.Add("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x%2By&Expires=1")
	f.Add("=&&=x&a==b&%zz=%&eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
	f.Add("connect=v1&encoding=json&message=%7B%7D")
	f.Add("h=Bearer%20abcdefgh&next=https%3A%2F%2Fu%3Ap%40h%2F&auth[token]=t")
	f.Fuzz(func(t *testing.T, q string) {
		got := redactedQuery(q)
		if strings.Count(got, "&") != strings.Count(q, "&") {
			t.Fatalf("redactedQuery(%q) = %q: parameters added or lost", q, got)
		}
		in, out := strings.Split(q, "&"), strings.Split(got, "&")
		for i := range in {
			if out[i] == in[i] {
				continue
			}
			k, _, ok := strings.Cut(in[i], "=")
			if want := k + "=" + redacted; ok && out[i] != want || !ok && out[i] != redacted {
				t.Fatalf("redactedQuery(%q): parameter %q became %q", q, in[i], out[i])
			}
		}
		if again := redactedQuery(got); again != got {
			t.Fatalf("redactedQuery(%q) = %q, and again %q", q, got, again)
		}
	})
}
