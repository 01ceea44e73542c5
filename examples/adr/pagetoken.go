package adr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/footingdev/footing/contracts/errs"
)

// pageTokens makes and reads ListADRs page tokens: opaque, tamper-evident (HMAC),
// and bound to the listing's filters and tenant, so a token cannot be replayed
// against another query or another tenant.
type pageTokens struct {
	key []byte
}

// cursor is the keyset position after the last ADR of a page.
type cursor struct {
	createTime time.Time
	id         uuid.UUID
}

const tokenVersion = 1

// token layout: version(1) | unix nanos(8) | id(16) | mac(16), base64url.
const tokenLen = 1 + 8 + 16 + 16

func (p *pageTokens) mac(payload []byte, scope string) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write(payload)
	m.Write([]byte{0})
	m.Write([]byte(scope))
	return m.Sum(nil)[:16]
}

// encode returns the token for c within scope (tenant and filters).
func (p *pageTokens) encode(c cursor, scope string) string {
	b := make([]byte, 0, tokenLen)
	b = append(b, tokenVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(c.createTime.UnixNano()))
	b = append(b, c.id[:]...)
	b = append(b, p.mac(b, scope)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errBadToken = errors.New("bad page token")

// decode reads a token made by encode for the same scope.
func (p *pageTokens) decode(token, scope string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenLen || b[0] != tokenVersion {
		return cursor{}, errBadToken
	}
	payload, sum := b[:tokenLen-16], b[tokenLen-16:]
	if !hmac.Equal(sum, p.mac(payload, scope)) {
		return cursor{}, errBadToken
	}
	var c cursor
	c.createTime = time.Unix(0, int64(binary.BigEndian.Uint64(payload[1:9]))).UTC()
	copy(c.id[:], payload[9:25])
	return c, nil
}

func invalidToken() error {
	return errs.InvalidArgument("INVALID_PAGE_TOKEN", "the page token is not valid for this listing",
		errs.WithDomain(Domain), errs.WithFieldViolation("page.page_token", "not a token from this listing", "page_token"))
}
