//go:build darwin || freebsd

package nspr

// The BSDs take a byte for the IPv4 multicast TTL and loopback options, as
// x/net/ipv4 does there.
const (
	optMcastTTL  = optTTLByte
	optMcastLoop = optBoolByte
)
