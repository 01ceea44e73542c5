package logging_test

import (
	"context"
	"log/slog"
	"os"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/logging"
)

func Example() {
	h := logging.NewHandler(os.Stdout, &logging.Options{ReplaceAttr: dropTime})
	logger := slog.New(h)

	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "u-7"})
	ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "req-1"})

	logger.InfoContext(ctx, "signed in",
		"password", "hunter2",
		slog.Group("headers", "Authorization", "Bearer abcdef123456", "Accept", "application/json"),
		"note", "called with Bearer abcdef123456")
	// Output:
	// {"level":"INFO","msg":"signed in","password":"[REDACTED]","headers":{"Authorization":"[REDACTED]","Accept":"application/json"},"note":"called with Bearer [REDACTED]","request_id":"req-1","tenant":"acme","user":"u-7"}
}

func ExampleFromContext() {
	ctx := logging.NewContext(context.Background(), slog.New(logging.NewHandler(os.Stdout, &logging.Options{Format: logging.Text, ReplaceAttr: dropTime})))
	ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "req-9"})

	// Deep in the call stack, without passing the context to the log call:
	logging.FromContext(ctx).Info("cache miss", "key", "items/42")
	// Output:
	// level=INFO msg="cache miss" key=items/42 request_id=req-9
}
