package cache

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// A Codec turns values of type T into bytes and back. Implementations must be safe to
// call concurrently.
type Codec[T any] interface {
	Marshal(v T) ([]byte, error)
	Unmarshal(data []byte) (T, error)
}

// JSON returns a [Codec] that stores values as JSON (encoding/json).
func JSON[T any]() Codec[T] { return jsonCodec[T]{} }

type jsonCodec[T any] struct{}

func (jsonCodec[T]) Marshal(v T) ([]byte, error) { return json.Marshal(v) }

func (jsonCodec[T]) Unmarshal(data []byte) (T, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("cache: decode JSON: %w", err)
	}
	return v, nil
}

// Proto returns a [Codec] that stores protobuf messages in the binary wire format.
// M is a generated message pointer type, such as *commonv1.User.
func Proto[M proto.Message]() Codec[M] { return protoCodec[M]{} }

type protoCodec[M proto.Message] struct{}

func (protoCodec[M]) Marshal(v M) ([]byte, error) { return proto.Marshal(v) }

func (protoCodec[M]) Unmarshal(data []byte) (M, error) {
	var zero M
	// A nil generated message still reports its type, which makes a fresh one.
	m, ok := zero.ProtoReflect().Type().New().Interface().(M)
	if !ok {
		return zero, fmt.Errorf("cache: %T is not a generated message type", zero)
	}
	if err := proto.Unmarshal(data, m); err != nil {
		return zero, fmt.Errorf("cache: decode protobuf: %w", err)
	}
	return m, nil
}
