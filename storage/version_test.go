package storage_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
	"github.com/footingdev/footing/storage"
)

func TestVersionIsSemver(t *testing.T) {
	t.Parallel()
	modcheck.Version(t, storage.Version)
}
