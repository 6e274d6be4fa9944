// Command nspr looks up names, relays bytes like netcat, and benchmarks
// nspr against Go's net, all through the nspr package.
//
//	nspr resolve HOST [--family inet|inet6|unspec] [--no-canon]
//	nspr hostent NAME|ADDR
//	nspr proto NAME|NUMBER
//	nspr listen ADDR [--udp|--unix] [--echo]
//	nspr connect ADDR [--udp|--unix] [--timeout 5s]
//	nspr bench [--quick] [--json] [--workload NAME] [--rounds N] [--n N]
//	nspr version
//
// Run "nspr help" for the details, the exit codes and the environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/nspr-go/nspr"
)

// Exit codes.
const (
	exitOK          = 0
	exitError       = 1 // an NSPR or other run-time error
	exitUsage       = 2
	exitLookup      = 3 // a name, address or protocol was not found
	exitInterrupted = 130
)

const exitCodesHelp = `Exit codes:
  0    success
  1    an NSPR or other run-time error (printed with its NSPR name)
  2    usage error
  3    lookup failure (PR_DIRECTORY_LOOKUP_ERROR)
  130  interrupted by SIGINT or SIGTERM
`

const environmentHelp = `Environment:
  NSPR_DNS_SERVER  host:port of the DNS server to send every query to,
                   instead of those of /etc/resolv.conf (the hosts file is
                   still read first); the port is a number. Another value
                   is a usage error. The tests point it at a server of
                   their own.
`

// A command is one subcommand: its name, its usage line and help, and the
// function that runs it.
type command struct {
	name    string
	args    string // the usage line after the name
	summary string // one line for "nspr help"
	help    string // the long description
	// flags declares the command's flags on fs and returns the function
	// that runs it with the remaining arguments.
	flags func(fs *flag.FlagSet) func(ctx context.Context, io stdio, args []string) error
}

// commands lists the subcommands in the order "nspr help" shows them; each
// is defined in a file of its own.
var commands = []*command{resolveCmd, hostentCmd, protoCmd, listenCmd, connectCmd, benchCmd, versionCmd}

// stdio is where a command reads and writes.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, stdio{os.Stdin, os.Stdout, os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, std stdio, args []string) int {
	if server := os.Getenv("NSPR_DNS_SERVER"); server != "" {
		nspr.DefaultResolver.Server = server
	}
	if len(args) == 0 {
		topHelp(std.err)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c := lookupCommand(args[1]); c != nil {
				commandHelp(std.out, c)
				return exitOK
			}
			fmt.Fprintf(std.err, "nspr: help: unknown command %q\nRun 'nspr help' for usage.\n", args[1])
			return exitUsage
		}
		topHelp(std.out)
		return exitOK
	}
	c := lookupCommand(name)
	if c == nil {
		fmt.Fprintf(std.err, "nspr: unknown command %q\nRun 'nspr help' for usage.\n", name)
		return exitUsage
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, help on stdout
	fs.Usage = func() {}
	runCmd := c.flags(fs)
	pos, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		commandHelp(std.out, c)
		return exitOK
	}
	if err == nil {
		err = checkDNSServer()
	}
	if err == nil {
		err = runCmd(ctx, std, pos)
	}
	return report(ctx, std.err, c.name, err)
}

// checkDNSServer reports an NSPR_DNS_SERVER that is not host:port as a
// usage error before the command runs, rather than as the failure of its
// first lookup.
func checkDNSServer() error {
	err := nspr.DefaultResolver.Validate()
	if err == nil {
		return nil
	}
	var ne *nspr.Error
	if errors.As(err, &ne) && errors.Unwrap(ne.Err) != nil {
		err = errors.Unwrap(ne.Err) // the cause, without the library's field name
	}
	return usagef("NSPR_DNS_SERVER %q is not host:port: %v", nspr.DefaultResolver.Server, err)
}

// report prints err, if any, and returns the exit code for it.
func report(ctx context.Context, stderr io.Writer, name string, err error) int {
	var ue usageError
	var ne *nspr.Error
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "nspr: %s: interrupted\n", name)
		return exitInterrupted
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "nspr: %s: %v\nRun 'nspr %s --help' for usage.\n", name, err, name)
		return exitUsage
	case errors.As(err, &ne):
		// An nspr error prints as "nspr: op: PR_NAME: description (cause)".
		fmt.Fprintln(stderr, err)
		if ne.Code == nspr.DirectoryLookupError {
			return exitLookup
		}
		return exitError
	default:
		fmt.Fprintf(stderr, "nspr: %s: %v\n", name, err)
		return exitError
	}
}

// parseInterleaved parses fs over args, allowing flags after the
// positional arguments ("resolve HOST --no-canon"), which flag.Parse alone
// stops at. Everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagError(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func topHelp(w io.Writer) {
	fmt.Fprint(w, `nspr looks up names, relays bytes like netcat and benchmarks nspr, the
pure-Go port of python-nss's nss.io, against Go's net.

Usage:
  nspr COMMAND [ARGUMENTS] [FLAGS]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'nspr help COMMAND' or 'nspr COMMAND --help' for a command's flags.
Flags take one dash or two and may follow the arguments.

`, exitCodesHelp, "\n", environmentHelp)
}

func commandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: nspr %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.args), strings.TrimSpace(c.help))
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprint(w, "\nFlags:\n")
			first = false
		}
		printFlag(w, f)
	})
	fmt.Fprint(w, "\n", exitCodesHelp)
}

// printFlag prints f as flag.PrintDefaults does, but as --name, the form
// of the usage lines.
func printFlag(w io.Writer, f *flag.Flag) {
	arg, usage := flag.UnquoteUsage(f)
	line := "  --" + f.Name
	if arg != "" {
		line += " " + arg
	}
	line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
	switch f.DefValue {
	case "", "0", "false", "0s":
	default:
		if _, ok := f.Value.(flag.Getter).Get().(string); ok {
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		} else {
			line += " (default " + f.DefValue + ")"
		}
	}
	fmt.Fprintln(w, line)
}

// flagNameRE finds the flag package's name for a flag in its errors
// ("flag needs an argument: -timeout").
var flagNameRE = regexp.MustCompile(`(: |flag |for )-([A-Za-z])`)

// flagError is err from the flag package with each flag named --name, as
// the usage lines name it.
func flagError(err error) error {
	return usageError{flagNameRE.ReplaceAllString(err.Error(), "${1}--${2}")}
}
