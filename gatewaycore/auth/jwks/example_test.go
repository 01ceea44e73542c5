package jwks_test

import (
	"fmt"

	"github.com/footingdev/footing/gatewaycore/auth/jwks"
)

func ExampleParse() {
	set, err := jwks.Parse([]byte(`{"keys":[
		{"kty":"OKP","crv":"Ed25519","kid":"ed-1","alg":"EdDSA","use":"sig","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
		{"kty":"oct","kid":"hmac-1","k":"c2VjcmV0"},
		{"kty":"EC","kid":"enc-1","use":"enc","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
	]}`))
	if err != nil {
		panic(err)
	}
	k, ok := set.Lookup("ed-1")
	fmt.Println(set.Len(), k.Algorithm, ok)
	_, ok = set.Lookup("hmac-1") // symmetric keys are never used
	fmt.Println(ok)
	// Output:
	// 1 EdDSA true
	// false
}
