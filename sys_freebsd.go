package nspr

import "golang.org/x/sys/unix"

const msgNoSignal = unix.MSG_NOSIGNAL

func prepareSocketFD(int) error { return nil }
