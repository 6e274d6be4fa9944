package nspr

import "golang.org/x/sys/unix"

// setSockaddrLen is a no-op on Linux, whose socket addresses carry no length.
func setSockaddrLen(*unix.RawSockaddrAny, uint32) {}

// abstractUnix reports that Unix socket paths beginning with '@' name the
// abstract namespace.
const abstractUnix = true
