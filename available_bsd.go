//go:build darwin || freebsd

package nspr

// ioctlFIONREAD is FIONREAD, _IOR('f', 127, int) on macOS and FreeBSD.
const ioctlFIONREAD = 0x4004667f
