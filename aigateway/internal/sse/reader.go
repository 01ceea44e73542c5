package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxEventSize is the limit on one event's data when [Reader.MaxEventSize] is 0.
const DefaultMaxEventSize = 8 << 20

// ErrEventTooLarge is returned when a line or an event's data exceeds the limit.
var ErrEventTooLarge = errors.New("sse: event too large")

// An Event is one dispatched server-sent event.
type Event struct {
	// Type is the event field, or "" when the event named none ("message" by the
	// standard's default).
	Type string
	// Data is the event's data lines joined by "\n". It aliases the Reader's buffer and
	// is valid only until the next call to [Reader.Next].
	Data []byte
	// ID is the last event id seen on the stream.
	ID string
}

// A Reader reads events from a stream. It is used by one goroutine.
type Reader struct {
	// MaxEventSize bounds a line and an event's data; 0 means [DefaultMaxEventSize].
	MaxEventSize int

	br      *bufio.Reader
	line    []byte // the current line when it spans several buffer fills
	data    []byte
	typ     string
	id      string
	hasData bool
	skipLF  bool // the previous line ended in CR: a leading LF belongs to it
	started bool // a leading byte order mark has been looked for
	names   map[string]string
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 4096), names: make(map[string]string, 8)}
}

func (r *Reader) max() int {
	if r.MaxEventSize > 0 {
		return r.MaxEventSize
	}
	return DefaultMaxEventSize
}

// Next returns the next event that carries data. Events without data lines are
// dropped, as the standard says. At the end of the stream it returns io.EOF; an
// event not terminated by a blank line before the end is dropped (the standard's
// rule), so a truncated stream never yields half an event. Errors of the
// underlying reader are returned as they are.
func (r *Reader) Next() (Event, error) {
	r.data = r.data[:0]
	r.hasData = false
	r.typ = ""
	for {
		line, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		if len(line) == 0 {
			if !r.hasData {
				r.typ = ""
				continue
			}
			return Event{Type: r.typ, Data: r.data, ID: r.id}, nil
		}
		if err := r.field(line); err != nil {
			return Event{}, err
		}
	}
}

func (r *Reader) field(line []byte) error {
	if line[0] == ':' {
		return nil // comment
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		if r.hasData {
			r.data = append(r.data, '\n')
		}
		if len(r.data)+len(value) > r.max() {
			return fmt.Errorf("%w: data exceeds %d bytes", ErrEventTooLarge, r.max())
		}
		r.data = append(r.data, value...)
		r.hasData = true
	case "event":
		r.typ = r.intern(value)
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			r.id = r.intern(value)
		}
	}
	// "retry" and unknown fields are ignored: the gateway never reconnects a stream.
	return nil
}

// intern returns b as a string, allocating only the first few times a name is seen.
func (r *Reader) intern(b []byte) string {
	if s, ok := r.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.names) < 64 {
		r.names[s] = s
	}
	return s
}

// readLine returns the next line without its terminator (LF, CRLF or CR). The
// slice is valid until the next call.
func (r *Reader) readLine() ([]byte, error) {
	r.line = r.line[:0]
	if !r.started {
		// The standard strips one leading U+FEFF. Peek(3) may wait for 3 bytes,
		// which every stream that carries an event has.
		if b, _ := r.br.Peek(3); string(b) == "\ufeff" {
			_, _ = r.br.Discard(3)
		}
		r.started = true
	}
	for {
		if r.skipLF {
			b, err := r.br.ReadByte()
			if err != nil {
				return nil, err
			}
			r.skipLF = false
			if b != '\n' {
				_ = r.br.UnreadByte()
			}
		}
		// At the end, an unterminated last line is dropped with its event (see Next).
		if _, err := r.br.Peek(1); err != nil {
			return nil, err
		}
		n := r.br.Buffered()
		chunk, _ := r.br.Peek(n)
		i := bytes.IndexAny(chunk, "\r\n")
		if i < 0 {
			if len(r.line)+n > r.max() {
				return nil, fmt.Errorf("%w: line exceeds %d bytes", ErrEventTooLarge, r.max())
			}
			r.line = append(r.line, chunk...)
			_, _ = r.br.Discard(n)
			continue
		}
		var line []byte
		if len(r.line) == 0 {
			line = chunk[:i]
		} else {
			if len(r.line)+i > r.max() {
				return nil, fmt.Errorf("%w: line exceeds %d bytes", ErrEventTooLarge, r.max())
			}
			r.line = append(r.line, chunk[:i]...)
			line = r.line
		}
		if chunk[i] == '\r' {
			r.skipLF = true
		}
		// Discarding does not move the buffered bytes, so line stays valid until the
		// next read fills the buffer, which is after the caller is done with it.
		_, _ = r.br.Discard(i + 1)
		return line, nil
	}
}
