package nspr

import "golang.org/x/sys/unix"

// ioctlFIONREAD asks how many bytes a socket holds to read (SIOCINQ,
// FIONREAD's value on sockets).
const ioctlFIONREAD = unix.SIOCINQ
