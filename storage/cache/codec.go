package cache

import (
	"encoding/json"
	"errors"
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
		return v, jsonDecodeError(err)
	}
	return v, nil
}

// jsonDecodeError describes a JSON decoding failure by its kind, its byte offset and the
// Go type involved, and drops encoding/json's message (not wrapped): it can quote the
// data — a number that does not fit its field, a map key in a field path, a custom
// UnmarshalJSON's complaint — and cached values can be secrets. Undecodable entries are
// logged ([Typed.Get]).
func jsonDecodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("cache: decode JSON: syntax error at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("cache: decode JSON: a value that does not fit Go type %s at byte %d", typ.Type, typ.Offset)
	}
	return errors.New("cache: decode JSON: invalid value")
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
