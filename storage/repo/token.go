package repo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/footingdev/footing/contracts/errs"
)

// maxTokenLen is the longest page token accepted (PageRequest.page_token's max_len).
const maxTokenLen = 2048

// tokenMACLen is the length of the truncated HMAC-SHA256 in a token.
const tokenMACLen = 16

// cursor is a page token's content: where the previous page ended, and which listing
// (table, tenant, filters) it belongs to.
type cursor struct {
	V       int       `json:"v"`
	Listing string    `json:"l"`
	Keys    []jsonRaw `json:"k"`
}

func errToken(msg string) error {
	return errs.InvalidPageToken(msg, errs.WithDomain(domain))
}

// listingID names one listing: table, tenant, order and filters, so that a token is only
// accepted by the listing that issued it.
func listingID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

func mac(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return m.Sum(nil)[:tokenMACLen]
}

// encodeToken signs c: base64url(json) "." base64url(hmac).
func encodeToken(key []byte, c cursor) (string, error) {
	c.V = 1
	b, err := json.Marshal(c)
	if err != nil {
		return "", errs.Internal(err)
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac(key, payload)), nil
}

// decodeToken checks and parses a token from an untrusted caller for the given listing and
// number of keys. Every failure is the same InvalidArgument: a forged, altered, foreign or
// malformed token says nothing about which check failed.
func decodeToken(key []byte, token, listing string, nkeys int) (cursor, error) {
	var c cursor
	if len(token) > maxTokenLen {
		return c, errToken("too long")
	}
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return c, errToken("malformed")
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, payload)) {
		return c, errToken("not valid")
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return c, errToken("malformed")
	}
	if err := json.Unmarshal(b, &c); err != nil || c.V != 1 || len(c.Keys) != nkeys {
		return c, errToken("malformed")
	}
	if c.Listing != listing {
		return c, errToken("from another listing")
	}
	return c, nil
}

// jsonRaw is one cursor key, JSON-encoded.
type jsonRaw = json.RawMessage
