package auth

import (
	"errors"

	"github.com/footingdev/footing/contracts/errs"
)

// A Reason says, for server-side logs and metrics only, why a credential was refused.
// Callers never see it: every refused credential answers the same Unauthenticated error.
type Reason string

// The reasons a credential is refused.
const (
	ReasonMissing      Reason = "missing"            // no credential presented
	ReasonMalformed    Reason = "malformed"          // not a well-formed compact JWS
	ReasonTooLarge     Reason = "too_large"          // longer than the maximum token size
	ReasonAlgorithm    Reason = "algorithm"          // alg not allowed for the issuer (none, HS*, ...)
	ReasonIssuer       Reason = "issuer"             // iss is not a configured issuer
	ReasonType         Reason = "type"               // typ not one of the issuer's Types
	ReasonAudience     Reason = "audience"           // no accepted aud
	ReasonExpired      Reason = "expired"            // exp passed (beyond the skew)
	ReasonNotYetValid  Reason = "not_yet_valid"      // nbf in the future (beyond the skew)
	ReasonIssuedFuture Reason = "issued_in_future"   // iat in the future (beyond the skew)
	ReasonClaims       Reason = "claims"             // a claim of the wrong type, or a missing required claim
	ReasonTenant       Reason = "tenant"             // a tenant the issuer may not speak for (IssuerConfig.Tenants), or none when it has several
	ReasonUnknownKey   Reason = "unknown_key"        // kid not in the issuer's key set
	ReasonKeys         Reason = "keys_unavailable"   // the issuer's keys could not be fetched
	ReasonSignature    Reason = "signature"          // signature does not verify
	ReasonAPIKey       Reason = "api_key"            // API key unknown, wrong, expired or revoked
	ReasonAPIKeyStore  Reason = "api_key_store"      // the API key store failed
	ReasonPolicy       Reason = "policy"             // authenticated, but the policy refuses
	ReasonUnlisted     Reason = "unlisted_procedure" // the route or procedure has no policy
)

// A CredentialError is the server-side error for a refused credential. Its message
// names the reason only; it never holds the credential.
type CredentialError struct {
	Reason Reason
}

func (e *CredentialError) Error() string { return "auth: credential refused: " + string(e.Reason) }

func fail(r Reason) error { return &CredentialError{Reason: r} }

// ReasonOf returns the reason of a credential error, or "" if err is not one.
func ReasonOf(err error) Reason {
	var ce *CredentialError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return ""
}

// ErrNoCredential is returned by [Authenticator.Authenticate] when a request carries
// no credential at all.
var ErrNoCredential error = &CredentialError{Reason: ReasonMissing}

// Messages answered to callers: one per code, the same for every cause.
const (
	unauthenticatedMessage  = "unauthenticated"
	permissionDeniedMessage = "permission denied"
)

// errUnauthenticated is what every refused credential answers.
func errUnauthenticated() error {
	return errs.Unauthenticated("UNAUTHENTICATED", unauthenticatedMessage, errs.WithDomain(Domain))
}

func errPermissionDenied() error {
	return errs.PermissionDenied("PERMISSION_DENIED", permissionDeniedMessage, errs.WithDomain(Domain))
}

// Domain is the ErrorInfo domain of the errors this package answers.
const Domain = "auth.gatewaycore.footing.dev"
