package nspr

import "golang.org/x/sys/unix"

// Linux takes an int for the IPv4 multicast TTL and loopback options.
const (
	kindMcastTTL  = kindTTL
	kindMcastLoop = kindBool
	tcpKeepIdle   = unix.TCP_KEEPIDLE
)
