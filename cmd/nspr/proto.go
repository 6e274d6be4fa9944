package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/nspr-go/nspr"
)

var protoCmd = &command{
	name:    "proto",
	args:    "NAME|NUMBER",
	summary: "look up a protocol by name or number (PR_GetProtoByName/Number)",
	help: `
Proto prints the entry of the protocols database for a protocol name or
alias (nspr.GetProtoByName, PR_GetProtoByName) or number
(nspr.GetProtoByNumber, PR_GetProtoByNumber): its name, number and aliases.

  $ nspr proto 6
  name:    tcp
  number:  6
  aliases: TCP`,
	flags: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
		return func(_ context.Context, std stdio, args []string) error {
			if len(args) != 1 {
				return usagef("want one NAME or NUMBER, got %d arguments", len(args))
			}
			number, err := strconv.Atoi(args[0])
			if err != nil {
				if number, err = nspr.GetProtoByName(args[0]); err != nil {
					return err
				}
			}
			name, aliases, err := nspr.GetProtoByNumber(number)
			if err != nil {
				return err
			}
			fmt.Fprintf(std.out, "name:    %s\nnumber:  %d\naliases: %s\n", name, number, strings.Join(aliases, " "))
			return nil
		}
	},
}
