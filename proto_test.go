package nspr

import (
	"errors"
	"slices"
	"testing"
)

// useProtocolsFile points the lookups at path for one test.
func useProtocolsFile(t *testing.T, path string) {
	old := protocolsFile
	protocolsFile = path
	t.Cleanup(func() { protocolsFile = old })
}

func TestGetProtoByName(t *testing.T) {
	useProtocolsFile(t, "testdata/protocols")
	tests := []struct {
		name string
		want int
		code ErrorCode
	}{
		{"tcp", 6, 0},
		{"TCP", 6, 0}, // an alias
		{"ICMPv6", 58, 0},
		{"ipv6-icmp", 58, 0},
		{"Tcp", 0, DirectoryLookupError}, // exact case only
		{"nonexistent", 0, DirectoryLookupError},
		{"", 0, DirectoryLookupError},
	}
	for _, tt := range tests {
		got, err := GetProtoByName(tt.name)
		if code := ErrorCodeOf(err); code != tt.code || got != tt.want {
			t.Errorf("GetProtoByName(%q) = %d, %v; want %d, code %v", tt.name, got, err, tt.want, tt.code)
		}
	}
}

func TestGetProtoByNumber(t *testing.T) {
	useProtocolsFile(t, "testdata/protocols")
	tests := []struct {
		number  int
		name    string
		aliases []string
		code    ErrorCode
	}{
		{6, "tcp", []string{"TCP"}, 0},
		{58, "ipv6-icmp", []string{"IPv6-ICMP", "ICMPv6"}, 0},
		{0, "ip", []string{"IP"}, 0},
		{9999, "", nil, DirectoryLookupError},
		{-1, "", nil, DirectoryLookupError},
	}
	for _, tt := range tests {
		name, aliases, err := GetProtoByNumber(tt.number)
		if ErrorCodeOf(err) != tt.code || name != tt.name || !slices.Equal(aliases, tt.aliases) {
			t.Errorf("GetProtoByNumber(%d) = %q, %q, %v; want %q, %q, code %v",
				tt.number, name, aliases, err, tt.name, tt.aliases, tt.code)
		}
	}
}

func TestProtocolsFallbackWhenDatabaseMissing(t *testing.T) {
	useProtocolsFile(t, "testdata/no-such-file")
	for _, p := range builtinProtocols {
		if got, err := GetProtoByName(p.Name); err != nil || got != p.Number {
			t.Errorf("GetProtoByName(%q) = %d, %v; want %d", p.Name, got, err, p.Number)
		}
		if name, _, err := GetProtoByNumber(p.Number); err != nil || name != p.Name {
			t.Errorf("GetProtoByNumber(%d) = %q, %v; want %q", p.Number, name, err, p.Name)
		}
	}
	_, err := GetProtoByName("sctp")
	if !errors.Is(err, DirectoryLookupError) {
		t.Errorf("unknown protocol without database: %v, want PR_DIRECTORY_LOOKUP_ERROR", err)
	}
}

func TestSystemProtocolsDatabase(t *testing.T) {
	// The real /etc/protocols, where present, must agree on the fixed numbers.
	for name, number := range map[string]int{"tcp": 6, "udp": 17} {
		if got, err := GetProtoByName(name); err != nil || got != number {
			t.Errorf("GetProtoByName(%q) = %d, %v; want %d", name, got, err, number)
		}
	}
}
