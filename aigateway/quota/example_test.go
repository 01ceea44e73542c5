package quota_test

import (
	"context"
	"fmt"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"

	"github.com/footingdev/footing/aigateway/quota"
)

func Example() {
	ctx := context.Background()
	// Each tenant may spend $0.01 per period.
	l, _ := quota.New(quota.NewMemoryStore(nil), quota.Config{Tenant: quota.Limits{Budget: 10_000_000}})
	p := &commonv1.Principal{TenantId: "acme"}

	// Reserve the worst case ($0.008), then settle what the call cost ($0.002).
	res, err := l.Reserve(ctx, p, quota.Request{Tokens: 2000, Cost: 8_000_000})
	fmt.Println(err)
	_ = res.Settle(ctx, 700, 2_000_000)

	// $0.008 is left: a second worst case of $0.009 does not fit.
	_, err = l.Reserve(ctx, p, quota.Request{Tokens: 2000, Cost: 9_000_000})
	fmt.Println(errs.From(err).Reason)
	// Output:
	// <nil>
	// BUDGET_EXHAUSTED
}
