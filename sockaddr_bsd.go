//go:build darwin || freebsd

package nspr

import "golang.org/x/sys/unix"

// setSockaddrLen fills the sa_len byte BSD socket addresses begin with.
func setSockaddrLen(rsa *unix.RawSockaddrAny, n uint32) { rsa.Addr.Len = uint8(n) }

// abstractUnix reports that there is no abstract Unix socket namespace.
const abstractUnix = false
