module github.com/footingdev/footing/examples

go 1.26.0

require (
	buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go v1.36.12-20260825204119-511051f7f437.2
	connectrpc.com/connect v1.21.1
	github.com/footingdev/footing/contracts v0.1.0
	google.golang.org/protobuf v1.36.12
)

replace github.com/footingdev/footing/contracts => ../contracts
