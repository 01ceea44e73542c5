package edge

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// deadlineWriter records the deadlines set on it.
type deadlineWriter struct {
	http.ResponseWriter
	read, write time.Time
}

func (d *deadlineWriter) SetReadDeadline(t time.Time) error  { d.read = t; return nil }
func (d *deadlineWriter) SetWriteDeadline(t time.Time) error { d.write = t; return nil }

// readOnlyDeadline can set only the read deadline, and unwraps to the rest.
type readOnlyDeadline struct {
	http.ResponseWriter
	read time.Time
}

func (d *readOnlyDeadline) SetReadDeadline(t time.Time) error { d.read = t; return nil }
func (d *readOnlyDeadline) Unwrap() http.ResponseWriter       { return d.ResponseWriter }

// unwrapper is a wrapper that http.ResponseController sees through.
type unwrapper struct{ http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// opaque is a wrapper without Unwrap: nothing below it is reached.
type opaque struct{ http.ResponseWriter }

// TestSetDeadlinesLikeResponseController checks that setReadDeadline and
// setWriteDeadline, boundIO's walks, reach exactly the writers that
// http.ResponseController's SetReadDeadline and SetWriteDeadline reach, for every
// shape of wrapping: none, through Unwrap, a wrapper that can set one deadline
// itself and unwraps for the other, and a wrapper without Unwrap.
func TestSetDeadlinesLikeResponseController(t *testing.T) {
	t.Parallel()
	type writers struct {
		top     http.ResponseWriter
		setters []*deadlineWriter
		reads   []*readOnlyDeadline
	}
	shapes := map[string]func() writers{
		"recorder": func() writers { return writers{top: httptest.NewRecorder()} },
		"deadline writer": func() writers {
			d := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
			return writers{top: d, setters: []*deadlineWriter{d}}
		},
		"unwrapped twice": func() writers {
			d := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
			return writers{top: unwrapper{unwrapper{d}}, setters: []*deadlineWriter{d}}
		},
		"read-only deadline over a deadline writer": func() writers {
			d := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
			r := &readOnlyDeadline{ResponseWriter: unwrapper{d}}
			return writers{top: unwrapper{r}, setters: []*deadlineWriter{d}, reads: []*readOnlyDeadline{r}}
		},
		"read-only deadline over a recorder": func() writers {
			r := &readOnlyDeadline{ResponseWriter: httptest.NewRecorder()}
			return writers{top: r, reads: []*readOnlyDeadline{r}}
		},
		"deadline writer over a deadline writer": func() writers {
			inner := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
			outer := &deadlineWriter{ResponseWriter: inner}
			return writers{top: outer, setters: []*deadlineWriter{outer, inner}}
		},
		"opaque wrapper": func() writers {
			d := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
			return writers{top: opaque{d}, setters: []*deadlineWriter{d}}
		},
		"unwrapped opaque wrapper": func() writers {
			d := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
			return writers{top: unwrapper{opaque{unwrapper{d}}}, setters: []*deadlineWriter{d}}
		},
	}
	read := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	write := read.Add(WriteGrace)
	// state lists the deadlines every writer of w holds.
	state := func(w writers) []time.Time {
		var out []time.Time
		for _, d := range w.setters {
			out = append(out, d.read, d.write)
		}
		for _, r := range w.reads {
			out = append(out, r.read)
		}
		return out
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ours, theirs := shape(), shape()
			setReadDeadline(ours.top, read)
			setWriteDeadline(ours.top, write)
			rc := http.NewResponseController(theirs.top)
			_ = rc.SetReadDeadline(read)
			_ = rc.SetWriteDeadline(write)
			got, want := state(ours), state(theirs)
			if len(got) != len(want) {
				t.Fatalf("%d deadlines, want %d", len(got), len(want))
			}
			for i := range got {
				if !got[i].Equal(want[i]) {
					t.Errorf("deadline %d: %v, ResponseController set %v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestBoundIOAllocatesNothing: where the writer cannot set deadlines, boundIO used
// to allocate (through http.ResponseController's errNotSupported) 4 times a request.
func TestBoundIOAllocatesNothing(t *testing.T) {
	var w http.ResponseWriter = unwrapper{httptest.NewRecorder()}
	r := httptest.NewRequest(http.MethodPost, "/x", http.NoBody)
	r.Body = http.MaxBytesReader(w, r.Body, 1) // a body: the read deadline is tried too
	deadline := time.Now().Add(time.Minute)
	if n := testing.AllocsPerRun(100, func() { boundIO(w, r, deadline) }); n != 0 {
		t.Errorf("boundIO allocated %v times, want 0", n)
	}
}
