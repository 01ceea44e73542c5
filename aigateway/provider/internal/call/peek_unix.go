//go:build linux || darwin || freebsd || netbsd || openbsd

package call

import (
	"errors"
	"net"
	"syscall"
)

// inlineSupported reports whether alive can tell a closed idle connection.
const inlineSupported = true

// alive reports whether the server has left c open, with nothing to read: one
// non-blocking peek, which returns EAGAIN on a healthy idle connection, 0 bytes
// once the server closed it, and data when the server sent something unasked
// (net/http closes a connection then too).
func alive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	healthy := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, perr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		healthy = errors.Is(perr, syscall.EAGAIN) || errors.Is(perr, syscall.EWOULDBLOCK)
		return true // never wait for the connection to become readable
	})
	return err == nil && healthy
}
