package gemini_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/gemini"
	"github.com/footingdev/footing/aigateway/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newProvider(t *testing.T, baseURL, key string) provider.Provider {
	t.Helper()
	p, err := gemini.New(gemini.Config{BaseURL: baseURL, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Factory{Wire: providertest.Gemini, New: newProvider})
}
