package nspr

import "golang.org/x/sys/unix"

// Linux takes an int for the IPv4 multicast TTL and loopback options.
const (
	optMcastTTL  = optTTL
	optMcastLoop = optBool
	tcpKeepIdle  = unix.TCP_KEEPIDLE
)
