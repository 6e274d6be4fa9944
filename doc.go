// Package nspr brings NSPR's network I/O layer, as python-nss exposes it in
// nss.io, to Go: sockets with NSPR's per-call intervals, non-blocking flag,
// error codes and address types, built in pure Go on the runtime netpoller.
//
// See docs/seed-mapping.md for the name of every nss.io member in Go and
// docs/compat.md for the deliberate differences from python-nss and NSPR.
package nspr
