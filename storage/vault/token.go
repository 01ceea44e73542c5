package vault

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/oauth2"
)

// A Token is an OAuth token as the vault stores it. Its String, GoString, Format,
// LogValue and MarshalJSON never show the access or refresh token, so printing or
// logging a Token is safe; read the fields, or call [Token.OAuth2], to use them.
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	Expiry       time.Time // zero: does not expire
}

// FromOAuth2 converts an oauth2.Token (nil gives the zero Token).
func FromOAuth2(t *oauth2.Token) Token {
	if t == nil {
		return Token{}
	}
	return Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
}

// OAuth2 returns t as an oauth2.Token.
func (t Token) OAuth2() *oauth2.Token {
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
}

// String describes t without its secrets.
func (t Token) String() string {
	exp := "never"
	if !t.Expiry.IsZero() {
		exp = t.Expiry.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("vault.Token{type=%s access=%s refresh=%s expiry=%s}",
		t.TokenType, redacted(t.AccessToken), redacted(t.RefreshToken), exp)
}

// GoString is String, for %#v.
func (t Token) GoString() string { return t.String() }

// Format writes String for every verb, so %v, %+v, %#v, %s and %q stay redacted.
func (t Token) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue is what slog logs for a Token: no secrets.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("type", t.TokenType),
		slog.Bool("has_access_token", t.AccessToken != ""),
		slog.Bool("has_refresh_token", t.RefreshToken != ""),
		slog.Time("expiry", t.Expiry),
	)
}

// MarshalJSON writes the redacted description, so a Token put in a JSON log or
// response by mistake leaks nothing.
func (t Token) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

func redacted(s string) string {
	if s == "" {
		return "none"
	}
	return "[redacted]"
}

// sealedToken is the plaintext inside the ciphertext.
type sealedToken struct {
	AccessToken  string    `json:"a"`
	TokenType    string    `json:"t,omitempty"`
	RefreshToken string    `json:"r,omitempty"`
	Expiry       time.Time `json:"e,omitzero"`
}
