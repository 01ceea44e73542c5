package authtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

func Example() {
	iss := authtest.NewIssuer()
	defer iss.Close()

	now := time.Now()
	a, err := auth.New(auth.Config{
		Issuers:    []auth.IssuerConfig{iss.Config()},
		HTTPClient: iss.Client(),
		Now:        func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	defer a.Close()

	token := iss.MintWith(authtest.ES256, authtest.Claims{"sub": "svc-7", "scope": "adr:read adr:write"})
	p, err := a.VerifyToken(context.Background(), token)
	fmt.Println(p.GetSubject(), p.GetScopes(), err)

	iss.Rotate(authtest.ES256) // new signer, old key still published
	now = now.Add(time.Minute) // unknown kids refresh the keys at most every 30 s
	token = iss.MintWith(authtest.ES256, authtest.Claims{"sub": "svc-8"})
	p, err = a.VerifyToken(context.Background(), token)
	fmt.Println(p.GetSubject(), err, iss.JWKSFetches())
	// Output:
	// svc-7 [adr:read adr:write] <nil>
	// svc-8 <nil> 2
}
