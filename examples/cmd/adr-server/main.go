// Command adr-server runs the reference ADR service.
//
//	adr-server serve [--dev]     serve until SIGINT/SIGTERM, then shut down gracefully
//	adr-server migrate [--dev]   apply footing's, River's and the service's migrations
//	adr-server config            list every environment variable with its default
//
// Configuration comes from the environment (see examples/README.md). With --dev
// (what `make run` uses), DATABASE_URL is an administrator's URL: migrate creates
// the footing_adr_dev database and lets footing_app log in, and serve runs an
// in-process OIDC issuer and prints a token for a demo tenant.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/gatewaycore/config"
	"github.com/footingdev/footing/observability"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: adr-server serve|migrate|config [--dev]")
		return 2
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dev := fs.Bool("dev", false, "dev mode: local database, in-process OIDC issuer, demo token")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, *dev, stdout)
	case "migrate":
		err = migrateCmd(ctx, *dev, stdout)
	case "config":
		fmt.Fprintln(stdout, "| variable | default | required | secret |\n| --- | --- | --- | --- |")
		for _, v := range config.Describe(&app.Config{}) {
			if v.Name == "ADMIN_ADDR" {
				v.Default = app.DefaultAdminAddr // LoadConfig's, not gatewaycore/server's (none)
			}
			fmt.Fprintf(stdout, "| `%s` | %s | %s | %s |\n", v.Name, v.Default, yes(v.Required), yes(v.Secret))
		}
	default:
		fmt.Fprintf(stderr, "adr-server: unknown command %q (serve, migrate, config)\n", args[0])
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "adr-server %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func migrateCmd(ctx context.Context, dev bool, stdout io.Writer) error {
	if dev {
		admin := os.Getenv("DATABASE_URL")
		if _, err := app.DevMigrate(ctx, admin, slog.Default()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "migrated %s (dev)\n", app.DevDatabase)
		return nil
	}
	cfg, err := app.LoadMigrateConfig()
	if err != nil {
		return err
	}
	if err := app.Migrate(ctx, cfg.URL(), slog.Default()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrated")
	return nil
}

func serve(ctx context.Context, dev bool, stdout io.Writer) error {
	if dev {
		// DATABASE_URL is the administrator's; serve as the application role instead.
		_, appURL, err := app.DevURLs(os.Getenv("DATABASE_URL"))
		if err != nil {
			return err
		}
		if err := os.Setenv("DATABASE_URL", appURL); err != nil {
			return err
		}
	}
	cfg, err := app.LoadConfig(dev)
	if err != nil {
		return err
	}
	shutdownTelemetry, err := observability.Setup(ctx, observability.Config{ServiceName: "adr-server"})
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = shutdownTelemetry(sctx)
	}()
	var token string
	if cfg.Dev {
		issuer := app.DevIssuer(&cfg)
		defer issuer.Close()
		token = app.DevToken(issuer, cfg, 12*time.Hour)
	}
	a, err := app.New(ctx, cfg, slog.Default())
	if err != nil {
		return err
	}
	ln, admin, err := app.Listen(cfg.Server)
	if err != nil {
		_ = a.Close(ctx)
		return err
	}
	base, adminBase := "http://"+ln.Addr().String(), ""
	if admin != nil {
		adminBase = "http://" + admin.Addr().String()
		slog.Info("adr-server admin listening: /metrics, /healthz, /readyz", "admin_addr", admin.Addr().String())
	} else {
		slog.Warn("ADMIN_ADDR=off: no admin listener, so no /metrics")
	}
	if cfg.Dev {
		app.PrintDevBanner(stdout, base, adminBase, token)
	}
	slog.Info("adr-server listening", "addr", ln.Addr().String(), "dev", cfg.Dev)
	if err := a.ServeWithAdmin(ctx, ln, admin); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
