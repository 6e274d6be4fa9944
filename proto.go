package nspr

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
)

// protoEnt is one entry of the protocols database (PRProtoEnt). It is
// unexported: GetProtoByName and GetProtoByNumber return its fields, as the
// functions of python-nss's nss.io do.
type protoEnt struct {
	Name    string
	Aliases []string
	Number  int
}

// protocolsFile is the database GetProtoByName and GetProtoByNumber read;
// a variable so tests can point it elsewhere.
var protocolsFile = "/etc/protocols"

// builtinProtocols answers when the database is missing, so the common
// protocols resolve on minimal systems.
var builtinProtocols = []protoEnt{
	{"ip", []string{"IP"}, 0},
	{"icmp", []string{"ICMP"}, 1},
	{"tcp", []string{"TCP"}, 6},
	{"udp", []string{"UDP"}, 17},
	{"ipv6", []string{"IPv6"}, 41},
	{"ipv6-icmp", []string{"IPv6-ICMP"}, 58},
}

// GetProtoByName returns the number of the protocol whose name or alias is
// exactly name (PR_GetProtoByName). An unknown name is a
// PR_DIRECTORY_LOOKUP_ERROR.
func GetProtoByName(name string) (int, error) {
	p, err := lookupProtocol("getprotobyname", func(p *protoEnt) bool {
		if p.Name == name {
			return true
		}
		for _, a := range p.Aliases {
			if a == name {
				return true
			}
		}
		return false
	})
	return p.Number, err
}

// GetProtoByNumber returns the name and aliases of the protocol with the
// given number (PR_GetProtoByNumber). An unknown number is a
// PR_DIRECTORY_LOOKUP_ERROR.
func GetProtoByNumber(number int) (name string, aliases []string, err error) {
	p, err := lookupProtocol("getprotobynumber", func(p *protoEnt) bool { return p.Number == number })
	return p.Name, p.Aliases, err
}

// lookupProtocol returns the first entry of the database that match accepts,
// using the built-in table when the database cannot be read.
func lookupProtocol(op string, match func(*protoEnt) bool) (protoEnt, error) {
	entries, err := readProtocols(protocolsFile)
	if err != nil {
		entries = builtinProtocols
	}
	for i := range entries {
		if match(&entries[i]) {
			return entries[i], nil
		}
	}
	return protoEnt{}, newError(op, DirectoryLookupError, errors.New("no such protocol"))
}

// readProtocols parses a protocols(5) file: "name number [alias…]", with
// comments from '#' to the end of the line.
func readProtocols(path string) ([]protoEnt, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []protoEnt
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil || n < 0 {
			continue
		}
		entries = append(entries, protoEnt{Name: fields[0], Aliases: fields[2:], Number: n})
	}
	return entries, sc.Err()
}
