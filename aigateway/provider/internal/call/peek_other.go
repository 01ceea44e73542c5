//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package call

import "net"

// inlineSupported reports whether alive can tell a closed idle connection: not
// on this platform, where the default client uses net/http's Transport alone.
const inlineSupported = false

func alive(net.Conn) bool { return false }
