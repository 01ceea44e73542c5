package pricing_test

import (
	"fmt"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/pricing"
)

func ExamplePrice_Cost() {
	p, _ := pricing.Default().Lookup("anthropic", "claude-sonnet-4-5")
	cost := p.Cost(&aiv1.Usage{InputTokens: 1200, OutputTokens: 300})
	fmt.Printf("%d nano-USD = $%.6f\n", cost, float64(cost)/1e9)
	// Output: 8100000 nano-USD = $0.008100
}
