package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/footingdev/footing/aigateway/internal/elements"
)

// MaxRequestElements bounds the elements of a request message [Handler] decodes:
// in the binary encoding its messages at any depth (map entries and
// google.protobuf.Value nodes included) and its string and bytes values, in JSON
// its values (objects, arrays, and each value of one after its first). Each costs tens to a hundred bytes once decoded and as
// little as two on the wire, and the rules of ai/v1 do not bound them all (a
// message's tool calls, a schema's nodes): 32 MiB of empty messages decoded to
// 2 GiB, from a few KiB of gzip. A request past the bound is refused with
// InvalidArgument before it is decoded; the largest conversation the rules allow
// (10,000 messages) needs a few tens of thousands.
const MaxRequestElements = 1 << 20

// errTooManyElements is the refusal of a request past MaxRequestElements.
var errTooManyElements = fmt.Errorf("the request has more than %d elements (messages, strings, JSON values)", MaxRequestElements)

// codecs are connect-go's proto and JSON codecs, each checking a request's
// elements (see [MaxRequestElements]) before decoding it.
func codecs() []connect.HandlerOption {
	return []connect.HandlerOption{
		connect.WithCodec(protoCodec{}),
		connect.WithCodec(jsonCodec{name: "json"}),
		connect.WithCodec(jsonCodec{name: "json; charset=utf-8"}),
	}
}

var errNotProto = errors.New("not a protobuf message")

// protoCodec is connect-go's binary codec with the element bound on Unmarshal.
type protoCodec struct{}

func (protoCodec) Name() string   { return "proto" }
func (protoCodec) IsBinary() bool { return true }

func (c protoCodec) Marshal(m any) ([]byte, error) { return c.MarshalAppend(nil, m) }

func (protoCodec) MarshalAppend(b []byte, m any) ([]byte, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, errNotProto
	}
	return proto.MarshalOptions{}.MarshalAppend(b, pm)
}

func (protoCodec) MarshalStable(m any) ([]byte, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, errNotProto
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(pm)
}

func (protoCodec) Unmarshal(b []byte, m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return errNotProto
	}
	n := 0
	if !countWire(b, pm.ProtoReflect().Descriptor(), 0, &n) {
		return errTooManyElements
	}
	return proto.Unmarshal(b, pm)
}

// countWire adds to n the messages, strings and bytes of b, a message of type md
// in the binary encoding, and reports false once n is past MaxRequestElements.
// What does not parse, or nests past protobuf's recursion limit, is left to
// proto.Unmarshal to refuse; unknown fields are kept as raw bytes and not counted.
func countWire(b []byte, md protoreflect.MessageDescriptor, depth int, n *int) bool {
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return true
		}
		b = b[l:]
		if typ != protowire.BytesType {
			if l = protowire.ConsumeFieldValue(num, typ, b); l < 0 {
				return true
			}
			b = b[l:]
			continue
		}
		v, l := protowire.ConsumeBytes(b)
		if l < 0 {
			return true
		}
		b = b[l:]
		fd := md.Fields().ByNumber(num)
		if fd == nil {
			continue
		}
		if *n++; *n > MaxRequestElements {
			return false
		}
		if fd.Kind() == protoreflect.MessageKind && depth < protowire.DefaultRecursionLimit {
			if !countWire(v, fd.Message(), depth+1, n) {
				return false
			}
		}
	}
	return true
}

// jsonCodec is connect-go's JSON codec with the element bound on Unmarshal.
type jsonCodec struct{ name string }

func (c jsonCodec) Name() string { return c.name }
func (jsonCodec) IsBinary() bool { return false }

func (c jsonCodec) Marshal(m any) ([]byte, error) { return c.MarshalAppend(nil, m) }

func (jsonCodec) MarshalAppend(b []byte, m any) ([]byte, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, errNotProto
	}
	return protojson.MarshalOptions{}.MarshalAppend(b, pm)
}

// MarshalStable is Marshal compacted: protojson's output varies its whitespace.
func (c jsonCodec) MarshalStable(m any) ([]byte, error) {
	b, err := c.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (jsonCodec) Unmarshal(b []byte, m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return errNotProto
	}
	if len(b) == 0 {
		return errors.New("zero-length payload is not a valid JSON object")
	}
	if !elements.JSON(b, MaxRequestElements) {
		return errTooManyElements
	}
	// Unknown fields are discarded, as connect-go's codec does, so that clients
	// and servers need not share one version of the schema.
	return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, pm)
}
