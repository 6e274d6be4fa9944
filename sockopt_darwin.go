package nspr

import "golang.org/x/sys/unix"

// tcpKeepIdle is darwin's name for TCP_KEEPIDLE.
const tcpKeepIdle = unix.TCP_KEEPALIVE
