package nspr

// The names and numbers below are those of NSPR's prerr.h; TestErrorTableMatchesHeader
// checks them against the installed header. The descriptions are our own.

// NSPR error codes (prerr.h), named by the API guide's rule:
// PR_IO_TIMEOUT_ERROR becomes IOTimeoutError.
const (
	OutOfMemoryError           ErrorCode = -6000 // PR_OUT_OF_MEMORY_ERROR: memory could not be allocated
	BadDescriptorError         ErrorCode = -5999 // PR_BAD_DESCRIPTOR_ERROR: the file descriptor is not valid or is closed
	WouldBlockError            ErrorCode = -5998 // PR_WOULD_BLOCK_ERROR: the operation would have to wait
	AccessFaultError           ErrorCode = -5997 // PR_ACCESS_FAULT_ERROR: a buffer points outside the process's memory
	InvalidMethodError         ErrorCode = -5996 // PR_INVALID_METHOD_ERROR: the operation does not apply to this kind of descriptor
	IllegalAccessError         ErrorCode = -5995 // PR_ILLEGAL_ACCESS_ERROR: the access is not allowed
	UnknownError               ErrorCode = -5994 // PR_UNKNOWN_ERROR: the system reported an error NSPR has no code for
	PendingInterruptError      ErrorCode = -5993 // PR_PENDING_INTERRUPT_ERROR: the operation was interrupted
	NotImplementedError        ErrorCode = -5992 // PR_NOT_IMPLEMENTED_ERROR: the function is not available on this platform
	IOError                    ErrorCode = -5991 // PR_IO_ERROR: an input/output error occurred
	IOTimeoutError             ErrorCode = -5990 // PR_IO_TIMEOUT_ERROR: the operation did not finish within its interval
	IOPendingError             ErrorCode = -5989 // PR_IO_PENDING_ERROR: an operation is already in progress on the descriptor
	DirectoryOpenError         ErrorCode = -5988 // PR_DIRECTORY_OPEN_ERROR: the directory could not be opened
	InvalidArgumentError       ErrorCode = -5987 // PR_INVALID_ARGUMENT_ERROR: an argument is not valid
	AddressNotAvailableError   ErrorCode = -5986 // PR_ADDRESS_NOT_AVAILABLE_ERROR: the address is not available on this host
	AddressNotSupportedError   ErrorCode = -5985 // PR_ADDRESS_NOT_SUPPORTED_ERROR: the address family is not supported by this socket
	IsConnectedError           ErrorCode = -5984 // PR_IS_CONNECTED_ERROR: the socket is already connected
	BadAddressError            ErrorCode = -5983 // PR_BAD_ADDRESS_ERROR: the network address is not valid
	AddressInUseError          ErrorCode = -5982 // PR_ADDRESS_IN_USE_ERROR: the address is already in use
	ConnectRefusedError        ErrorCode = -5981 // PR_CONNECT_REFUSED_ERROR: the peer refused the connection
	NetworkUnreachableError    ErrorCode = -5980 // PR_NETWORK_UNREACHABLE_ERROR: the network cannot be reached
	ConnectTimeoutError        ErrorCode = -5979 // PR_CONNECT_TIMEOUT_ERROR: the connection attempt timed out
	NotConnectedError          ErrorCode = -5978 // PR_NOT_CONNECTED_ERROR: the socket is not connected
	LoadLibraryError           ErrorCode = -5977 // PR_LOAD_LIBRARY_ERROR: the library could not be loaded
	UnloadLibraryError         ErrorCode = -5976 // PR_UNLOAD_LIBRARY_ERROR: the library could not be unloaded
	FindSymbolError            ErrorCode = -5975 // PR_FIND_SYMBOL_ERROR: the symbol was not found in the library
	InsufficientResourcesError ErrorCode = -5974 // PR_INSUFFICIENT_RESOURCES_ERROR: the system lacks the resources for the operation
	DirectoryLookupError       ErrorCode = -5973 // PR_DIRECTORY_LOOKUP_ERROR: a name service lookup failed
	TPDRangeError              ErrorCode = -5972 // PR_TPD_RANGE_ERROR: the thread-private data index is out of range
	ProcDescTableFullError     ErrorCode = -5971 // PR_PROC_DESC_TABLE_FULL_ERROR: the process has too many open descriptors
	SysDescTableFullError      ErrorCode = -5970 // PR_SYS_DESC_TABLE_FULL_ERROR: the system has too many open descriptors
	NotSocketError             ErrorCode = -5969 // PR_NOT_SOCKET_ERROR: the descriptor is not a socket
	NotTCPSocketError          ErrorCode = -5968 // PR_NOT_TCP_SOCKET_ERROR: the operation needs a TCP socket
	SocketAddressIsBoundError  ErrorCode = -5967 // PR_SOCKET_ADDRESS_IS_BOUND_ERROR: the socket is already bound to an address
	NoAccessRightsError        ErrorCode = -5966 // PR_NO_ACCESS_RIGHTS_ERROR: permission denied
	OperationNotSupportedError ErrorCode = -5965 // PR_OPERATION_NOT_SUPPORTED_ERROR: the operation is not supported
	ProtocolNotSupportedError  ErrorCode = -5964 // PR_PROTOCOL_NOT_SUPPORTED_ERROR: the protocol is not supported
	RemoteFileError            ErrorCode = -5963 // PR_REMOTE_FILE_ERROR: a remote file failed
	BufferOverflowError        ErrorCode = -5962 // PR_BUFFER_OVERFLOW_ERROR: a value does not fit its buffer or range
	ConnectResetError          ErrorCode = -5961 // PR_CONNECT_RESET_ERROR: the peer reset the connection
	RangeError                 ErrorCode = -5960 // PR_RANGE_ERROR: a value is out of range
	DeadlockError              ErrorCode = -5959 // PR_DEADLOCK_ERROR: the operation would deadlock
	FileIsLockedError          ErrorCode = -5958 // PR_FILE_IS_LOCKED_ERROR: the file is locked
	FileTooBigError            ErrorCode = -5957 // PR_FILE_TOO_BIG_ERROR: the file is too large
	NoDeviceSpaceError         ErrorCode = -5956 // PR_NO_DEVICE_SPACE_ERROR: no space is left on the device
	PipeError                  ErrorCode = -5955 // PR_PIPE_ERROR: the pipe failed
	NoSeekDeviceError          ErrorCode = -5954 // PR_NO_SEEK_DEVICE_ERROR: the device cannot seek
	IsDirectoryError           ErrorCode = -5953 // PR_IS_DIRECTORY_ERROR: the file is a directory
	LoopError                  ErrorCode = -5952 // PR_LOOP_ERROR: too many symbolic links
	NameTooLongError           ErrorCode = -5951 // PR_NAME_TOO_LONG_ERROR: the name is too long
	FileNotFoundError          ErrorCode = -5950 // PR_FILE_NOT_FOUND_ERROR: the file was not found
	NotDirectoryError          ErrorCode = -5949 // PR_NOT_DIRECTORY_ERROR: the path is not a directory
	ReadOnlyFilesystemError    ErrorCode = -5948 // PR_READ_ONLY_FILESYSTEM_ERROR: the file system is read-only
	DirectoryNotEmptyError     ErrorCode = -5947 // PR_DIRECTORY_NOT_EMPTY_ERROR: the directory is not empty
	FilesystemMountedError     ErrorCode = -5946 // PR_FILESYSTEM_MOUNTED_ERROR: the file system is busy or mounted
	NotSameDeviceError         ErrorCode = -5945 // PR_NOT_SAME_DEVICE_ERROR: the paths are on different devices
	DirectoryCorruptedError    ErrorCode = -5944 // PR_DIRECTORY_CORRUPTED_ERROR: the directory is corrupted
	FileExistsError            ErrorCode = -5943 // PR_FILE_EXISTS_ERROR: the file already exists
	MaxDirectoryEntriesError   ErrorCode = -5942 // PR_MAX_DIRECTORY_ENTRIES_ERROR: the directory is full
	InvalidDeviceStateError    ErrorCode = -5941 // PR_INVALID_DEVICE_STATE_ERROR: the device is not in a usable state
	DeviceIsLockedError        ErrorCode = -5940 // PR_DEVICE_IS_LOCKED_ERROR: the device is locked
	NoMoreFilesError           ErrorCode = -5939 // PR_NO_MORE_FILES_ERROR: there are no more files
	EndOfFileError             ErrorCode = -5938 // PR_END_OF_FILE_ERROR: end of file
	FileSeekError              ErrorCode = -5937 // PR_FILE_SEEK_ERROR: the seek failed
	FileIsBusyError            ErrorCode = -5936 // PR_FILE_IS_BUSY_ERROR: the file is busy
	OperationAbortedError      ErrorCode = -5935 // PR_OPERATION_ABORTED_ERROR: the operation was aborted
	InProgressError            ErrorCode = -5934 // PR_IN_PROGRESS_ERROR: the operation is in progress and will finish later
	AlreadyInitiatedError      ErrorCode = -5933 // PR_ALREADY_INITIATED_ERROR: the operation was already started
	GroupEmptyError            ErrorCode = -5932 // PR_GROUP_EMPTY_ERROR: the wait group is empty
	InvalidStateError          ErrorCode = -5931 // PR_INVALID_STATE_ERROR: the object is in the wrong state for the operation
	NetworkDownError           ErrorCode = -5930 // PR_NETWORK_DOWN_ERROR: the network is down
	SocketShutdownError        ErrorCode = -5929 // PR_SOCKET_SHUTDOWN_ERROR: the socket was shut down in that direction
	ConnectAbortedError        ErrorCode = -5928 // PR_CONNECT_ABORTED_ERROR: the connection was aborted
	HostUnreachableError       ErrorCode = -5927 // PR_HOST_UNREACHABLE_ERROR: the host cannot be reached
	LibraryNotLoadedError      ErrorCode = -5926 // PR_LIBRARY_NOT_LOADED_ERROR: the library is not loaded
	CallOnceError              ErrorCode = -5925 // PR_CALL_ONCE_ERROR: a one-time initialisation failed
	MaxError                   ErrorCode = -5924 // PR_MAX_ERROR: the end of the NSPR error range
)

// errorTable holds the name and description of every code, indexed by
// code - firstErrorCode.
var errorTable = [...]struct{ name, desc string }{
	OutOfMemoryError - firstErrorCode:           {"PR_OUT_OF_MEMORY_ERROR", "memory could not be allocated"},
	BadDescriptorError - firstErrorCode:         {"PR_BAD_DESCRIPTOR_ERROR", "the file descriptor is not valid or is closed"},
	WouldBlockError - firstErrorCode:            {"PR_WOULD_BLOCK_ERROR", "the operation would have to wait"},
	AccessFaultError - firstErrorCode:           {"PR_ACCESS_FAULT_ERROR", "a buffer points outside the process's memory"},
	InvalidMethodError - firstErrorCode:         {"PR_INVALID_METHOD_ERROR", "the operation does not apply to this kind of descriptor"},
	IllegalAccessError - firstErrorCode:         {"PR_ILLEGAL_ACCESS_ERROR", "the access is not allowed"},
	UnknownError - firstErrorCode:               {"PR_UNKNOWN_ERROR", "the system reported an error NSPR has no code for"},
	PendingInterruptError - firstErrorCode:      {"PR_PENDING_INTERRUPT_ERROR", "the operation was interrupted"},
	NotImplementedError - firstErrorCode:        {"PR_NOT_IMPLEMENTED_ERROR", "the function is not available on this platform"},
	IOError - firstErrorCode:                    {"PR_IO_ERROR", "an input/output error occurred"},
	IOTimeoutError - firstErrorCode:             {"PR_IO_TIMEOUT_ERROR", "the operation did not finish within its interval"},
	IOPendingError - firstErrorCode:             {"PR_IO_PENDING_ERROR", "an operation is already in progress on the descriptor"},
	DirectoryOpenError - firstErrorCode:         {"PR_DIRECTORY_OPEN_ERROR", "the directory could not be opened"},
	InvalidArgumentError - firstErrorCode:       {"PR_INVALID_ARGUMENT_ERROR", "an argument is not valid"},
	AddressNotAvailableError - firstErrorCode:   {"PR_ADDRESS_NOT_AVAILABLE_ERROR", "the address is not available on this host"},
	AddressNotSupportedError - firstErrorCode:   {"PR_ADDRESS_NOT_SUPPORTED_ERROR", "the address family is not supported by this socket"},
	IsConnectedError - firstErrorCode:           {"PR_IS_CONNECTED_ERROR", "the socket is already connected"},
	BadAddressError - firstErrorCode:            {"PR_BAD_ADDRESS_ERROR", "the network address is not valid"},
	AddressInUseError - firstErrorCode:          {"PR_ADDRESS_IN_USE_ERROR", "the address is already in use"},
	ConnectRefusedError - firstErrorCode:        {"PR_CONNECT_REFUSED_ERROR", "the peer refused the connection"},
	NetworkUnreachableError - firstErrorCode:    {"PR_NETWORK_UNREACHABLE_ERROR", "the network cannot be reached"},
	ConnectTimeoutError - firstErrorCode:        {"PR_CONNECT_TIMEOUT_ERROR", "the connection attempt timed out"},
	NotConnectedError - firstErrorCode:          {"PR_NOT_CONNECTED_ERROR", "the socket is not connected"},
	LoadLibraryError - firstErrorCode:           {"PR_LOAD_LIBRARY_ERROR", "the library could not be loaded"},
	UnloadLibraryError - firstErrorCode:         {"PR_UNLOAD_LIBRARY_ERROR", "the library could not be unloaded"},
	FindSymbolError - firstErrorCode:            {"PR_FIND_SYMBOL_ERROR", "the symbol was not found in the library"},
	InsufficientResourcesError - firstErrorCode: {"PR_INSUFFICIENT_RESOURCES_ERROR", "the system lacks the resources for the operation"},
	DirectoryLookupError - firstErrorCode:       {"PR_DIRECTORY_LOOKUP_ERROR", "a name service lookup failed"},
	TPDRangeError - firstErrorCode:              {"PR_TPD_RANGE_ERROR", "the thread-private data index is out of range"},
	ProcDescTableFullError - firstErrorCode:     {"PR_PROC_DESC_TABLE_FULL_ERROR", "the process has too many open descriptors"},
	SysDescTableFullError - firstErrorCode:      {"PR_SYS_DESC_TABLE_FULL_ERROR", "the system has too many open descriptors"},
	NotSocketError - firstErrorCode:             {"PR_NOT_SOCKET_ERROR", "the descriptor is not a socket"},
	NotTCPSocketError - firstErrorCode:          {"PR_NOT_TCP_SOCKET_ERROR", "the operation needs a TCP socket"},
	SocketAddressIsBoundError - firstErrorCode:  {"PR_SOCKET_ADDRESS_IS_BOUND_ERROR", "the socket is already bound to an address"},
	NoAccessRightsError - firstErrorCode:        {"PR_NO_ACCESS_RIGHTS_ERROR", "permission denied"},
	OperationNotSupportedError - firstErrorCode: {"PR_OPERATION_NOT_SUPPORTED_ERROR", "the operation is not supported"},
	ProtocolNotSupportedError - firstErrorCode:  {"PR_PROTOCOL_NOT_SUPPORTED_ERROR", "the protocol is not supported"},
	RemoteFileError - firstErrorCode:            {"PR_REMOTE_FILE_ERROR", "a remote file failed"},
	BufferOverflowError - firstErrorCode:        {"PR_BUFFER_OVERFLOW_ERROR", "a value does not fit its buffer or range"},
	ConnectResetError - firstErrorCode:          {"PR_CONNECT_RESET_ERROR", "the peer reset the connection"},
	RangeError - firstErrorCode:                 {"PR_RANGE_ERROR", "a value is out of range"},
	DeadlockError - firstErrorCode:              {"PR_DEADLOCK_ERROR", "the operation would deadlock"},
	FileIsLockedError - firstErrorCode:          {"PR_FILE_IS_LOCKED_ERROR", "the file is locked"},
	FileTooBigError - firstErrorCode:            {"PR_FILE_TOO_BIG_ERROR", "the file is too large"},
	NoDeviceSpaceError - firstErrorCode:         {"PR_NO_DEVICE_SPACE_ERROR", "no space is left on the device"},
	PipeError - firstErrorCode:                  {"PR_PIPE_ERROR", "the pipe failed"},
	NoSeekDeviceError - firstErrorCode:          {"PR_NO_SEEK_DEVICE_ERROR", "the device cannot seek"},
	IsDirectoryError - firstErrorCode:           {"PR_IS_DIRECTORY_ERROR", "the file is a directory"},
	LoopError - firstErrorCode:                  {"PR_LOOP_ERROR", "too many symbolic links"},
	NameTooLongError - firstErrorCode:           {"PR_NAME_TOO_LONG_ERROR", "the name is too long"},
	FileNotFoundError - firstErrorCode:          {"PR_FILE_NOT_FOUND_ERROR", "the file was not found"},
	NotDirectoryError - firstErrorCode:          {"PR_NOT_DIRECTORY_ERROR", "the path is not a directory"},
	ReadOnlyFilesystemError - firstErrorCode:    {"PR_READ_ONLY_FILESYSTEM_ERROR", "the file system is read-only"},
	DirectoryNotEmptyError - firstErrorCode:     {"PR_DIRECTORY_NOT_EMPTY_ERROR", "the directory is not empty"},
	FilesystemMountedError - firstErrorCode:     {"PR_FILESYSTEM_MOUNTED_ERROR", "the file system is busy or mounted"},
	NotSameDeviceError - firstErrorCode:         {"PR_NOT_SAME_DEVICE_ERROR", "the paths are on different devices"},
	DirectoryCorruptedError - firstErrorCode:    {"PR_DIRECTORY_CORRUPTED_ERROR", "the directory is corrupted"},
	FileExistsError - firstErrorCode:            {"PR_FILE_EXISTS_ERROR", "the file already exists"},
	MaxDirectoryEntriesError - firstErrorCode:   {"PR_MAX_DIRECTORY_ENTRIES_ERROR", "the directory is full"},
	InvalidDeviceStateError - firstErrorCode:    {"PR_INVALID_DEVICE_STATE_ERROR", "the device is not in a usable state"},
	DeviceIsLockedError - firstErrorCode:        {"PR_DEVICE_IS_LOCKED_ERROR", "the device is locked"},
	NoMoreFilesError - firstErrorCode:           {"PR_NO_MORE_FILES_ERROR", "there are no more files"},
	EndOfFileError - firstErrorCode:             {"PR_END_OF_FILE_ERROR", "end of file"},
	FileSeekError - firstErrorCode:              {"PR_FILE_SEEK_ERROR", "the seek failed"},
	FileIsBusyError - firstErrorCode:            {"PR_FILE_IS_BUSY_ERROR", "the file is busy"},
	OperationAbortedError - firstErrorCode:      {"PR_OPERATION_ABORTED_ERROR", "the operation was aborted"},
	InProgressError - firstErrorCode:            {"PR_IN_PROGRESS_ERROR", "the operation is in progress and will finish later"},
	AlreadyInitiatedError - firstErrorCode:      {"PR_ALREADY_INITIATED_ERROR", "the operation was already started"},
	GroupEmptyError - firstErrorCode:            {"PR_GROUP_EMPTY_ERROR", "the wait group is empty"},
	InvalidStateError - firstErrorCode:          {"PR_INVALID_STATE_ERROR", "the object is in the wrong state for the operation"},
	NetworkDownError - firstErrorCode:           {"PR_NETWORK_DOWN_ERROR", "the network is down"},
	SocketShutdownError - firstErrorCode:        {"PR_SOCKET_SHUTDOWN_ERROR", "the socket was shut down in that direction"},
	ConnectAbortedError - firstErrorCode:        {"PR_CONNECT_ABORTED_ERROR", "the connection was aborted"},
	HostUnreachableError - firstErrorCode:       {"PR_HOST_UNREACHABLE_ERROR", "the host cannot be reached"},
	LibraryNotLoadedError - firstErrorCode:      {"PR_LIBRARY_NOT_LOADED_ERROR", "the library is not loaded"},
	CallOnceError - firstErrorCode:              {"PR_CALL_ONCE_ERROR", "a one-time initialisation failed"},
	MaxError - firstErrorCode:                   {"PR_MAX_ERROR", "the end of the NSPR error range"},
}
