package nspr

import "encoding/binary"

// Htonl converts a 32-bit value from host to network byte order (PR_htonl).
func Htonl(x uint32) uint32 {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], x)
	return binary.NativeEndian.Uint32(b[:])
}

// Ntohl converts a 32-bit value from network to host byte order (PR_ntohl).
func Ntohl(x uint32) uint32 { return Htonl(x) }

// Htons converts a 16-bit value from host to network byte order (PR_htons).
func Htons(x uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], x)
	return binary.NativeEndian.Uint16(b[:])
}

// Ntohs converts a 16-bit value from network to host byte order (PR_ntohs).
func Ntohs(x uint16) uint16 { return Htons(x) }
