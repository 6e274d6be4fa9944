package nspr

import "syscall"

// errnoCodes is NSPR's default Unix mapping (_MD_unix_map_default_error).
var errnoCodes = map[syscall.Errno]ErrorCode{
	syscall.EACCES:          NoAccessRightsError,
	syscall.EADDRINUSE:      AddressInUseError,
	syscall.EADDRNOTAVAIL:   AddressNotAvailableError,
	syscall.EAFNOSUPPORT:    AddressNotSupportedError,
	syscall.EAGAIN:          WouldBlockError,
	syscall.EALREADY:        AlreadyInitiatedError,
	syscall.EBADF:           BadDescriptorError,
	syscall.EBADMSG:         IOError,
	syscall.EBUSY:           FilesystemMountedError,
	syscall.ECONNABORTED:    ConnectAbortedError,
	syscall.ECONNREFUSED:    ConnectRefusedError,
	syscall.ECONNRESET:      ConnectResetError,
	syscall.EDEADLK:         DeadlockError,
	syscall.EDQUOT:          NoDeviceSpaceError,
	syscall.EEXIST:          FileExistsError,
	syscall.EFAULT:          AccessFaultError,
	syscall.EFBIG:           FileTooBigError,
	syscall.EHOSTDOWN:       HostUnreachableError,
	syscall.EHOSTUNREACH:    HostUnreachableError,
	syscall.EINPROGRESS:     InProgressError,
	syscall.EINTR:           PendingInterruptError,
	syscall.EINVAL:          InvalidArgumentError,
	syscall.EIO:             IOError,
	syscall.EISCONN:         IsConnectedError,
	syscall.EISDIR:          IsDirectoryError,
	syscall.ELOOP:           LoopError,
	syscall.EMFILE:          ProcDescTableFullError,
	syscall.EMLINK:          MaxDirectoryEntriesError,
	syscall.EMSGSIZE:        InvalidArgumentError,
	syscall.EMULTIHOP:       RemoteFileError,
	syscall.ENAMETOOLONG:    NameTooLongError,
	syscall.ENETDOWN:        NetworkDownError,
	syscall.ENETUNREACH:     NetworkUnreachableError,
	syscall.ENFILE:          SysDescTableFullError,
	syscall.ENOBUFS:         InsufficientResourcesError,
	syscall.ENODEV:          FileNotFoundError,
	syscall.ENOENT:          FileNotFoundError,
	syscall.ENOLCK:          FileIsLockedError,
	syscall.ENOLINK:         RemoteFileError,
	syscall.ENOMEM:          OutOfMemoryError,
	syscall.ENOPROTOOPT:     InvalidArgumentError,
	syscall.ENOSPC:          NoDeviceSpaceError,
	syscall.ENOSYS:          NotImplementedError,
	syscall.ENOTCONN:        NotConnectedError,
	syscall.ENOTDIR:         NotDirectoryError,
	syscall.ENOTEMPTY:       DirectoryNotEmptyError,
	syscall.ENOTSOCK:        NotSocketError,
	syscall.ENXIO:           FileNotFoundError,
	syscall.EOPNOTSUPP:      NotTCPSocketError,
	syscall.EOVERFLOW:       BufferOverflowError,
	syscall.EPERM:           NoAccessRightsError,
	syscall.EPIPE:           ConnectResetError,
	syscall.EPROTO:          IOError,
	syscall.EPROTONOSUPPORT: ProtocolNotSupportedError,
	syscall.EPROTOTYPE:      AddressNotSupportedError,
	syscall.ERANGE:          InvalidMethodError,
	syscall.EROFS:           ReadOnlyFilesystemError,
	syscall.ESPIPE:          InvalidMethodError,
	syscall.ETIMEDOUT:       IOTimeoutError,
	syscall.EXDEV:           NotSameDeviceError,
}

// errnoOverrides are NSPR's per-operation exceptions to the default mapping
// (_MD_unix_map_<op>_error), keyed by our operation names.
var errnoOverrides = map[string]map[syscall.Errno]ErrorCode{
	"accept":      {syscall.ENODEV: NotTCPSocketError},
	"bind":        {syscall.EINVAL: SocketAddressIsBoundError},
	"connect":     {syscall.ENXIO: IOError},
	"socket":      {syscall.ENOMEM: InsufficientResourcesError},
	"socketpair":  {syscall.ENOMEM: InsufficientResourcesError},
	"getsockname": {syscall.ENOMEM: InsufficientResourcesError},
	"getpeername": {syscall.ENOMEM: InsufficientResourcesError},
	"getsockopt":  {syscall.EINVAL: BufferOverflowError, syscall.ENOMEM: InsufficientResourcesError},
	"setsockopt":  {syscall.EINVAL: BufferOverflowError, syscall.ENOMEM: InsufficientResourcesError},
	"close":       {syscall.ETIMEDOUT: RemoteFileError},
	"available":   {syscall.EINVAL: BadDescriptorError},
}

// mapErrno returns the NSPR code for errno raised by the system call behind
// op: the operation's override if it has one, else the default table, else
// PR_UNKNOWN_ERROR.
func mapErrno(op string, errno syscall.Errno) ErrorCode {
	if code, ok := errnoOverrides[op][errno]; ok {
		return code
	}
	if code, ok := errnoCodes[errno]; ok {
		return code
	}
	return UnknownError
}
