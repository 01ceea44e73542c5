package ratelimit_test

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

func TestPolicyFromProto(t *testing.T) {
	t.Parallel()
	p, err := ratelimit.PolicyFromProto(&gatewayv1.RateLimitPolicy{
		Name: "ai", Key: gatewayv1.RateLimitPolicy_KEY_TENANT, Rate: 60, Burst: 10, Period: durationpb.New(time.Minute),
	})
	if err != nil || p.Name != "ai" || p.Key != ratelimit.KeyTenant || p.Limit != (ratelimit.Limit{Rate: 60, Burst: 10, Period: time.Minute}) {
		t.Fatalf("got %+v, %v", p, err)
	}
	_, err = ratelimit.PolicyFromProto(&gatewayv1.RateLimitPolicy{})
	for _, want := range []string{"name", "KEY_UNSPECIFIED", "rate", "period"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not report %s", err, want)
		}
	}
}
