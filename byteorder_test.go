package nspr

import "testing"

func TestByteOrder32(t *testing.T) {
	tests := []struct{ host, net uint32 }{
		{0, 0},
		{1, 0x01000000},
		{0x12345678, 0x78563412},
		{0x7fffffff, 0xffffff7f},
		{0x80000000, 0x00000080},
		{0xffffffff, 0xffffffff},
	}
	for _, tt := range tests {
		if got := Htonl(tt.host); got != tt.net {
			t.Errorf("Htonl(%#x) = %#x, want %#x", tt.host, got, tt.net)
		}
		if got := Ntohl(tt.net); got != tt.host {
			t.Errorf("Ntohl(%#x) = %#x, want %#x", tt.net, got, tt.host)
		}
	}
}

func TestByteOrder16(t *testing.T) {
	tests := []struct{ host, net uint16 }{
		{0, 0},
		{1, 0x0100},
		{0x1234, 0x3412},
		{0xffff, 0xffff},
		{80, 0x5000},
	}
	for _, tt := range tests {
		if got := Htons(tt.host); got != tt.net {
			t.Errorf("Htons(%#x) = %#x, want %#x", tt.host, got, tt.net)
		}
		if got := Ntohs(tt.net); got != tt.host {
			t.Errorf("Ntohs(%#x) = %#x, want %#x", tt.net, got, tt.host)
		}
	}
}
