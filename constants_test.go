package nspr

import "testing"

// The values are those of NSPR on Linux as python-nss exposes them
// (/usr/bin/python3 -c 'import nss.io as io; print(io.PR_AF_INET6)' …).
func TestConstantValuesAndNames(t *testing.T) {
	tests := []struct {
		value fmtInt
		want  int64
		name  string
	}{
		{AFUnspec, 0, "PR_AF_UNSPEC"},
		{AFLocal, 1, "PR_AF_LOCAL"},
		{AFInet, 2, "PR_AF_INET"},
		{AFInet6, 10, "PR_AF_INET6"},
		{AIAll, 8, "PR_AI_ALL"},
		{AIV4Mapped, 16, "PR_AI_V4MAPPED"},
		{AIAddrConfig, 32, "PR_AI_ADDRCONFIG"},
		{AINoCanonName, 32768, "PR_AI_NOCANONNAME"},
		{AIDefault, 48, "PR_AI_DEFAULT"},
		{DescFile, 1, "PR_DESC_FILE"},
		{DescSocketTCP, 2, "PR_DESC_SOCKET_TCP"},
		{DescSocketUDP, 3, "PR_DESC_SOCKET_UDP"},
		{DescLayered, 4, "PR_DESC_LAYERED"},
		{DescPipe, 5, "PR_DESC_PIPE"},
		{IntervalNoWait, 0, "PR_INTERVAL_NO_WAIT"},
		{IntervalNoTimeout, 4294967295, "PR_INTERVAL_NO_TIMEOUT"},
		{IntervalMin, 1000, "1000 ticks"},
		{IntervalMax, 100000, "100000 ticks"},
		{IPAddrNull, 0, "PR_IpAddrNull"},
		{IPAddrAny, 1, "PR_IpAddrAny"},
		{IPAddrLoopback, 2, "PR_IpAddrLoopback"},
		{IPAddrV4Mapped, 3, "PR_IpAddrV4Mapped"},
		{PollRead, 1, "PR_POLL_READ"},
		{PollWrite, 2, "PR_POLL_WRITE"},
		{PollExcept, 4, "PR_POLL_EXCEPT"},
		{PollErr, 8, "PR_POLL_ERR"},
		{PollNval, 16, "PR_POLL_NVAL"},
		{PollHup, 32, "PR_POLL_HUP"},
		{ShutdownRcv, 0, "PR_SHUTDOWN_RCV"},
		{ShutdownSend, 1, "PR_SHUTDOWN_SEND"},
		{ShutdownBoth, 2, "PR_SHUTDOWN_BOTH"},
		{SockOptNonblocking, 0, "PR_SockOpt_Nonblocking"},
		{SockOptLinger, 1, "PR_SockOpt_Linger"},
		{SockOptReuseAddr, 2, "PR_SockOpt_Reuseaddr"},
		{SockOptKeepAlive, 3, "PR_SockOpt_Keepalive"},
		{SockOptRecvBufferSize, 4, "PR_SockOpt_RecvBufferSize"},
		{SockOptSendBufferSize, 5, "PR_SockOpt_SendBufferSize"},
		{SockOptIPTimeToLive, 6, "PR_SockOpt_IpTimeToLive"},
		{SockOptIPTypeOfService, 7, "PR_SockOpt_IpTypeOfService"},
		{SockOptAddMember, 8, "PR_SockOpt_AddMember"},
		{SockOptDropMember, 9, "PR_SockOpt_DropMember"},
		{SockOptMcastInterface, 10, "PR_SockOpt_McastInterface"},
		{SockOptMcastTimeToLive, 11, "PR_SockOpt_McastTimeToLive"},
		{SockOptMcastLoopback, 12, "PR_SockOpt_McastLoopback"},
		{SockOptNoDelay, 13, "PR_SockOpt_NoDelay"},
		{SockOptMaxSegment, 14, "PR_SockOpt_MaxSegment"},
		{SockOptBroadcast, 15, "PR_SockOpt_Broadcast"},
	}
	if len(tests) != 47 {
		t.Fatalf("the seed has 47 PR_ constants, the table %d", len(tests))
	}
	if SockOptReuseaddr != SockOptReuseAddr || SockOptKeepalive != SockOptKeepAlive {
		t.Errorf("the deprecated spellings are %v and %v", SockOptReuseaddr, SockOptKeepalive)
	}
	for _, tt := range tests {
		if got := tt.value.toInt64(); got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, got, tt.want)
		}
		if got := tt.value.String(); got != tt.name {
			t.Errorf("String() = %q, want %q", got, tt.name)
		}
	}
}

// fmtInt lets one table hold every constant type.
type fmtInt interface {
	String() string
	toInt64() int64
}

func (f Family) toInt64() int64        { return int64(f) }
func (f AIFlags) toInt64() int64       { return int64(f) }
func (t DescType) toInt64() int64      { return int64(t) }
func (i Interval) toInt64() int64      { return int64(i) }
func (v IPAddrSpecial) toInt64() int64 { return int64(v) }
func (f PollFlags) toInt64() int64     { return int64(f) }
func (h ShutdownHow) toInt64() int64   { return int64(h) }
func (o SockOpt) toInt64() int64       { return int64(o) }

func TestAddrFamilyName(t *testing.T) {
	tests := []struct {
		family Family
		want   string
	}{
		{AFInet, "PR_AF_INET"},
		{AFInet6, "PR_AF_INET6"},
		{AFLocal, "PR_AF_LOCAL"},
		{AFUnspec, "PR_AF_UNSPEC"},
		{3, "unknown(0x3)"},
		{99, "unknown(0x63)"},
	}
	for _, tt := range tests {
		if got := AddrFamilyName(tt.family); got != tt.want {
			t.Errorf("AddrFamilyName(%d) = %q, want %q", int(tt.family), got, tt.want)
		}
	}
}

func TestFlagSetStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{(PollRead | PollHup).String(), "PR_POLL_READ|PR_POLL_HUP"},
		{PollFlags(0).String(), "0"},
		{(PollWrite | 0x100).String(), "PR_POLL_WRITE|0x100"},
		{(AIAddrConfig | AINoCanonName).String(), "PR_AI_ADDRCONFIG|PR_AI_NOCANONNAME"},
		{AIFlags(0).String(), "0"},
		{SockOpt(99).String(), "PR_SockOpt(99)"},
		{DescType(9).String(), "PR_DESC(9)"},
		{ShutdownHow(7).String(), "PR_SHUTDOWN(7)"},
		{IPAddrSpecial(9).String(), "PR_IpAddr(9)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
