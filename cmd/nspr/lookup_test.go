package main

import (
	"flag"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/nspr-go/nspr/internal/dnstest"
)

// testZone is what the tests' DNS server knows, under nspr.test., which
// exists nowhere else, and localhost for hosts whose hosts file lacks it.
var testZone = []string{
	"localhost. 60 IN A 127.0.0.1",
	"1.0.0.127.in-addr.arpa. 60 IN PTR localhost.",
	"v4.nspr.test. 60 IN A 127.0.0.2",
	"v6.nspr.test. 60 IN AAAA fd00:6e73:7072::2",
	"both.nspr.test. 60 IN A 127.0.0.3",
	"both.nspr.test. 60 IN AAAA fd00:6e73:7072::3",
	"alias.nspr.test. 60 IN CNAME v4.nspr.test.",
	"10.9.8.127.in-addr.arpa. 60 IN PTR named.nspr.test.",
}

// TestLookups runs resolve, hostent and proto against the hosts file,
// numeric addresses, the protocols database and a DNS server of the
// test's own, and checks what they print and their exit codes.
func TestLookups(t *testing.T) {
	dns := dnstest.Start(t, testZone...)
	dns.ServFail("fail.nspr.test.")
	tests := []struct {
		args []string
		code int
		want []string // lines of stdout, or substrings of stderr on failure
	}{
		{[]string{"resolve", "localhost"}, 0, []string{"hostname:  localhost", "canonical: localhost", "address:   127.0.0.1 PR_AF_INET"}},
		{[]string{"resolve", "127.0.0.1", "--no-canon"}, 0, []string{"canonical: (not asked for)", "address:   127.0.0.1 PR_AF_INET"}},
		{[]string{"resolve", "::1", "--family", "inet6"}, 0, []string{"address:   ::1 PR_AF_INET6"}},
		{[]string{"resolve", "v4.nspr.test."}, 0, []string{"hostname:  v4.nspr.test.", "address:   127.0.0.2 PR_AF_INET"}},
		{[]string{"resolve", "alias.nspr.test."}, 0, []string{"canonical: v4.nspr.test", "address:   127.0.0.2 PR_AF_INET"}},
		{[]string{"resolve", "--family=inet6", "both.nspr.test."}, 0, []string{"address:   fd00:6e73:7072::3 PR_AF_INET6"}},
		{[]string{"resolve", "nx.nspr.test."}, 3, []string{"nspr: getaddrinfo: PR_DIRECTORY_LOOKUP_ERROR"}},
		{[]string{"resolve", "fail.nspr.test."}, 3, []string{"PR_DIRECTORY_LOOKUP_ERROR"}},
		{[]string{"resolve", "127.0.0.1", "--family", "inet6"}, 3, []string{"PR_DIRECTORY_LOOKUP_ERROR"}},
		{[]string{"hostent", "127.0.0.1"}, 0, []string{"hostname: localhost", "family:   PR_AF_INET", "address:  127.0.0.1"}},
		{[]string{"hostent", "127.8.9.10"}, 0, []string{"hostname: named.nspr.test", "address:  127.8.9.10"}},
		{[]string{"hostent", "alias.nspr.test."}, 0, []string{"hostname: v4.nspr.test", "alias:    alias.nspr.test", "address:  127.0.0.2"}},
		{[]string{"hostent", "nx.nspr.test."}, 3, []string{"PR_DIRECTORY_LOOKUP_ERROR"}},
		{[]string{"proto", "tcp"}, 0, []string{"name:    tcp", "number:  6"}},
		{[]string{"proto", "6"}, 0, []string{"name:    tcp", "number:  6"}},
		{[]string{"proto", "UDP"}, 0, []string{"name:    udp", "number:  17"}},
		{[]string{"proto", "no-such-protocol"}, 3, []string{"nspr: getprotobyname: PR_DIRECTORY_LOOKUP_ERROR"}},
		{[]string{"proto", "100000"}, 3, []string{"PR_DIRECTORY_LOOKUP_ERROR"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runProc(newProc(t, strings.NewReader(""), tt.args...).withDNS(dns.Addr))
			if r.code != tt.code {
				t.Fatalf("exit code %d, want %d; stdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.code == 0 {
				lines := strings.Split(r.stdout, "\n")
				for _, w := range tt.want {
					if !hasLine(lines, w) {
						t.Errorf("no line %q in stdout:\n%s", w, r.stdout)
					}
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("no %q in stderr:\n%s", w, r.stderr)
				}
			}
		})
	}
}

// hasLine reports whether one of lines is want, give or take a trailing
// dot of a name.
func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want || strings.TrimSuffix(l, ".") == want {
			return true
		}
	}
	return false
}

// TestUsage checks that mistakes on the command line exit with 2 and say
// what is wrong, and that help exits with 0.
func TestUsage(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string // a substring of stdout
		stderr string // a substring of stderr
	}{
		{nil, 2, "", "Commands:"},
		{[]string{"help"}, 0, "Exit codes:", ""},
		{[]string{"-h"}, 0, "Commands:", ""},
		{[]string{"--help"}, 0, "NSPR_DNS_SERVER", ""},
		{[]string{"help", "connect"}, 0, "Usage: nspr connect ADDR", ""},
		{[]string{"help", "nosuch"}, 2, "", `unknown command "nosuch"`},
		{[]string{"nosuch"}, 2, "", `nspr: unknown command "nosuch"`},
		{[]string{"resolve", "--help"}, 0, "Usage: nspr resolve HOST", ""},
		{[]string{"hostent", "-h"}, 0, "Usage: nspr hostent NAME|ADDR", ""},
		{[]string{"proto", "--help"}, 0, "PR_GetProtoByName", ""},
		{[]string{"listen", "--help"}, 0, "--echo", ""},
		{[]string{"connect", "-help"}, 0, "--timeout duration", ""},
		{[]string{"bench", "--help"}, 0, "tcp_pingpong_1B", ""},
		{[]string{"resolve"}, 2, "", "nspr: resolve: want one HOST, got 0 arguments"},
		{[]string{"resolve", "a", "b"}, 2, "", "want one HOST"},
		{[]string{"resolve", "localhost", "--family", "ipx"}, 2, "", `unknown family "ipx"`},
		{[]string{"resolve", "localhost", "--bogus"}, 2, "", "flag provided but not defined: --bogus\n"},
		{[]string{"resolve", "localhost", "-bogus"}, 2, "", "flag provided but not defined: --bogus\n"},
		{[]string{"resolve", "localhost", "--family"}, 2, "", "flag needs an argument: --family\n"},
		{[]string{"proto"}, 2, "", "want one NAME or NUMBER"},
		{[]string{"proto", "--", "6"}, 0, "name:    tcp", ""},
		{[]string{"proto", "--", "-1"}, 3, "", "PR_DIRECTORY_LOOKUP_ERROR"},
		{[]string{"proto", "-1"}, 2, "", "flag provided but not defined: -1"},
		{[]string{"hostent"}, 2, "", "want one NAME or ADDR"},
		{[]string{"listen", "127.0.0.1"}, 2, "", "want host:port"},
		{[]string{"listen", "127.0.0.1:65536"}, 2, "", "not a number from 0 to 65535"},
		{[]string{"connect", "127.0.0.1:x"}, 2, "", "not a number from 0 to 65535"},
		{[]string{"connect", "--udp", "--unix", "/tmp/x"}, 2, "", "--udp and --unix"},
		{[]string{"connect", "127.0.0.1:1", "--timeout", "0s"}, 2, "", "--timeout must be positive"},
		{[]string{"connect", "127.0.0.1:1", "--timeout", "soon"}, 2, "", `invalid value "soon" for flag --timeout`},
		{[]string{"connect", "127.0.0.1:1", "--timeout", "-1s"}, 2, "", "--timeout must be positive"},
		{[]string{"connect", "/tmp/nspr-test.sock"}, 2, "", `address "/tmp/nspr-test.sock" is a path: add --unix for a Unix-domain socket`},
		{[]string{"listen", "./s.sock"}, 2, "", "add --unix"},
		{[]string{"connect", "@abstract"}, 2, "", "add --unix"},
		{[]string{"version", "extra"}, 2, "", "version takes no arguments"},
		{[]string{"bench", "extra"}, 2, "", "no arguments"},
		{[]string{"bench", "--workload", "nosuch"}, 2, "", `unknown workload "nosuch"`},
		{[]string{"bench", "--rounds", "-1"}, 2, "", "nspr: bench: --rounds must be at least 1, got -1\n"},
		{[]string{"bench", "--rounds", "0"}, 2, "", "nspr: bench: --rounds must be at least 1, got 0\n"},
		{[]string{"bench", "--n", "0"}, 2, "", "nspr: bench: --n must be at least 1, got 0\n"},
		{[]string{"bench", "--n", "-5", "--quick"}, 2, "", "nspr: bench: --n must be at least 1, got -5\n"},
		{[]string{"bench", "--rounds", "x"}, 2, "", `invalid value "x" for flag --rounds`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runNSPR(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit code %d, want %d with %q on stdout and %q on stderr; stdout:\n%s\nstderr:\n%s",
					r.code, tt.code, tt.stdout, tt.stderr, r.stdout, r.stderr)
			}
			if tt.code == 2 && tt.args != nil && !strings.Contains(r.stderr, "Run 'nspr") {
				t.Errorf("a usage error without a hint on stderr:\n%s", r.stderr)
			}
		})
	}
}

// TestDNSServerVariable checks NSPR_DNS_SERVER: a value that is not
// host:port is a usage error before any command runs (even one the hosts
// file would answer), and a failed lookup names the server it asked.
func TestDNSServerVariable(t *testing.T) {
	tests := []struct {
		server string
		args   []string
		code   int
		stderr []string
	}{
		{"bogus", []string{"resolve", "localhost"}, 2, []string{`NSPR_DNS_SERVER "bogus" is not host:port`, "Run 'nspr resolve --help'"}},
		{"host:notaport", []string{"hostent", "127.0.0.1"}, 2, []string{`NSPR_DNS_SERVER "host:notaport" is not host:port`}},
		{"127.0.0.1:70000", []string{"resolve", "v4.nspr.test."}, 2, []string{`NSPR_DNS_SERVER "127.0.0.1:70000"`}},
		{noDNS, []string{"resolve", "v4.nspr.test."}, 3, []string{"PR_DIRECTORY_LOOKUP_ERROR", "on " + noDNS + ":"}},
		{noDNS, []string{"hostent", "127.8.9.10"}, 3, []string{"PR_DIRECTORY_LOOKUP_ERROR", "on " + noDNS + ":"}},
	}
	for _, tt := range tests {
		t.Run(tt.server+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			r := runProc(newProc(t, strings.NewReader(""), tt.args...).withDNS(tt.server))
			if r.code != tt.code {
				t.Fatalf("exit code %d, want %d; stdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("no %q in stderr:\n%s", w, r.stderr)
				}
			}
		})
	}
}

// TestHelpUsesDoubleDash checks that every command's help names its flags
// as its usage line does, --name, and never in flag's one-dash form.
func TestHelpUsesDoubleDash(t *testing.T) {
	oneDash := regexp.MustCompile(`(?m)^\s+-[A-Za-z]`)
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			var help strings.Builder
			commandHelp(&help, c)
			if m := oneDash.FindString(help.String()); m != "" {
				t.Errorf("a flag in the one-dash form (%q):\n%s", m, help.String())
			}
			fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
			c.flags(fs)
			fs.VisitAll(func(f *flag.Flag) {
				if !regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(f.Name) + `\b.*\n    \t` + regexp.QuoteMeta(strings.SplitN(f.Usage, "`", 2)[0])).MatchString(help.String()) {
					t.Errorf("no --%s with its description in the help:\n%s", f.Name, help.String())
				}
				if strings.Contains(c.args, "-"+f.Name) && !strings.Contains(c.args, "--"+f.Name) {
					t.Errorf("the usage line %q names -%s with one dash", c.args, f.Name)
				}
			})
		})
	}
}

// TestVersion checks that version prints the module's version, as the
// build recorded it ("(devel)" for a build from a working tree), and the
// Go version it was built with.
func TestVersion(t *testing.T) {
	r := runNSPR(t, "", "version")
	if r.code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	module := regexp.MustCompile(`^nspr: +github\.com/nspr-go/nspr (\(devel\)|v\d+\.\d+\.\d+\S*)$`)
	if len(lines) < 2 || !module.MatchString(lines[0]) || lines[1] != "go:   "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("version printed:\n%s\nwant the module's version and %s %s/%s", r.stdout, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
}
