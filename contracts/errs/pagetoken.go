package errs

import "connectrpc.com/connect"

// ReasonPageTokenInvalid is the reason every footing listing gives when it refuses a
// page token: forged, altered, too long, from another listing, tenant or filter, or
// from before a key rotation. A client that sees it starts the listing again without
// a token.
const ReasonPageTokenInvalid = "PAGE_TOKEN_INVALID"

// PageTokenField is the path of the page token in a list request: by convention
// every list request carries its footing.common.v1.PageRequest as field "page".
const PageTokenField = "page.page_token"

// InvalidPageToken is the InvalidArgument a listing answers for a page token it did
// not issue for this listing: reason [ReasonPageTokenInvalid] and a field violation
// on [PageTokenField] with description. Say the same whichever check failed, so
// that the answer tells a forger nothing.
func InvalidPageToken(description string, opts ...Option) *connect.Error {
	opts = append(opts[:len(opts):len(opts)], WithFieldViolation(PageTokenField, description, ReasonPageTokenInvalid))
	return InvalidArgument(ReasonPageTokenInvalid,
		"the page token is "+description+"; start the listing again without one", opts...)
}
