package reflection_test

import (
	"fmt"
	"net/http"

	"github.com/footingdev/footing/gatewaycore/reflection"
)

func ExampleMount() {
	mux := http.NewServeMux()
	cfg := reflection.Config{Enabled: true} // e.g. from config.Load: GRPC_REFLECTION=true in dev
	fmt.Println(reflection.Mount(mux, cfg, []string{"footing.ai.v1.AIGatewayService"}))
	fmt.Println(reflection.Procedures[0])
	// Output:
	// true
	// /grpc.reflection.v1.ServerReflection/ServerReflectionInfo
}
