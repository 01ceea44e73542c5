package jobs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
)

// maxPageTokenLen is the longest page token accepted (PageRequest.page_token's max_len).
const maxPageTokenLen = 2048

// pageTokenMACLen is the length of the truncated HMAC-SHA256 in a page token.
const pageTokenMACLen = 16

// pageCursor is a page token's content: the id of the last job of the previous page and the
// listing (tenant, order, filters) it belongs to.
type pageCursor struct {
	V       int    `json:"v"`
	Listing string `json:"l"`
	After   int64  `json:"a"`
}

func errPageToken(description string) error {
	return errs.InvalidPageToken(description, errs.WithDomain(pg.Domain))
}

// listingID names one listing of [Client.List], so that a token is accepted only by the
// listing that issued it: another tenant's, another order's or other filters' is refused.
func listingID(tenant string, f ListFilter) string {
	h := sha256.New()
	part := func(p string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	part("footing.jobs.list")
	part(tenant)
	part(strconv.FormatBool(f.Descending))
	part(strconv.Itoa(len(f.Kinds)))
	for _, k := range f.Kinds {
		part(k)
	}
	part(strconv.Itoa(len(f.Queues)))
	for _, q := range f.Queues {
		part(q)
	}
	part(strconv.Itoa(len(f.States)))
	for _, s := range f.States {
		part(string(s))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

func pageMAC(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return m.Sum(nil)[:pageTokenMACLen]
}

// encodePageToken signs c: base64url(json) "." base64url(hmac).
func encodePageToken(key []byte, c pageCursor) (string, error) {
	c.V = 1
	b, err := json.Marshal(c)
	if err != nil {
		return "", errs.Internal(err)
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(pageMAC(key, payload)), nil
}

// decodePageToken checks and parses a page token from an untrusted caller for listing.
// Every failure is InvalidArgument (PAGE_TOKEN_INVALID); a forged, altered or malformed
// token gets the same answer.
func decodePageToken(key []byte, token, listing string) (pageCursor, error) {
	var c pageCursor
	if len(token) > maxPageTokenLen {
		return c, errPageToken("too long")
	}
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return c, errPageToken("malformed")
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, pageMAC(key, payload)) {
		return c, errPageToken("not valid")
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return c, errPageToken("malformed")
	}
	if err := json.Unmarshal(b, &c); err != nil || c.V != 1 || c.After < 1 {
		return c, errPageToken("malformed")
	}
	if c.Listing != listing {
		return c, errPageToken("from another listing")
	}
	return c, nil
}
