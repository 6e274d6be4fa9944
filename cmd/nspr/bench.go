package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/nspr-go/nspr/internal/workload"
	"github.com/nspr-go/nspr/internal/workload/nsprimpl"
)

var benchCmd = &command{
	name:    "bench",
	args:    "[--quick] [--json] [--workload NAME[,NAME…]] [--rounds N] [--n N]",
	summary: "benchmark nspr against Go's net on loopback, side by side",
	help: `
Bench runs the loopback workloads of BENCHMARKS.md in this process, over nspr
sockets and over the standard library's net, interleaved: each round runs
every implementation once, in an order rotated from round to round, after a
short warm-up. It prints a line on stderr as each workload finishes, then a
table of the medians with the ratio nspr/net (above 1: nspr is faster).

Workloads (every figure a rate, so higher is better):
` + workloadList() + `
--quick runs smaller sizes and 3 rounds (a few seconds); the full sizes,
with 5 rounds, take one to two minutes. bench/run.sh adds NSPR in C and
python-nss to the comparison; its summary at the top of BENCHMARKS.md uses
the same workload names and the same direction of ratio (above 1: nspr is
ahead), though it gives poll_idle_1000_kept in microseconds a poll.

  $ nspr bench --quick --workload tcp_pingpong_1B`,
	flags: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
		quick := fs.Bool("quick", false, "small sizes and 3 rounds, for a quick look")
		asJSON := fs.Bool("json", false, "print the results as JSON instead of a table")
		only := fs.String("workload", "", "run only these workloads (`names` separated by commas)")
		rounds := fs.Int("rounds", 0, "rounds per workload (default 3 with --quick, else 5)")
		n := fs.Int("n", 0, "iterations per run instead of the workload's own (see above)")
		return func(ctx context.Context, std stdio, args []string) error {
			if len(args) != 0 {
				return usagef("bench takes no arguments, only flags")
			}
			todo, err := selectWorkloads(*only)
			if err != nil {
				return err
			}
			given := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
			for _, f := range []struct {
				name string
				v    int
			}{{"rounds", *rounds}, {"n", *n}} {
				if given[f.name] && f.v < 1 {
					return usagef("--%s must be at least 1, got %d", f.name, f.v)
				}
			}
			if !given["rounds"] {
				*rounds = 5
				if *quick {
					*rounds = 3
				}
			}
			rep := benchReport{
				Quick: *quick, Rounds: *rounds, Go: runtime.Version(),
				GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(),
			}
			for _, w := range todo {
				iters := *n
				if iters == 0 {
					iters = w.Full
					if *quick {
						iters = w.Quick
					}
				}
				r, err := benchWorkload(ctx, w, iters, *rounds)
				if err != nil {
					return fmt.Errorf("%s: %w", w.Name, err)
				}
				fmt.Fprintf(std.err, "%-*s nspr %s, net %s %s: %d rounds of %d in %.1f s\n", nameWidth,
					w.Name, formatFigure(r.NSPR), formatFigure(r.Net), r.Unit, r.Rounds, r.N, r.seconds)
				rep.Results = append(rep.Results, r)
			}
			if *asJSON {
				enc := json.NewEncoder(std.out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return printTable(std, rep)
		}
	},
}

// benchImpls are the implementations compared, nspr first.
var benchImpls = []workload.Impl{nsprimpl.Impl{}, workload.Net{}}

// benchReport is the output of bench, and its JSON form.
type benchReport struct {
	Quick   bool          `json:"quick"`
	Rounds  int           `json:"rounds"`
	Go      string        `json:"go"`
	GOOS    string        `json:"goos"`
	GOARCH  string        `json:"goarch"`
	CPUs    int           `json:"cpus"`
	Results []benchResult `json:"results"`
}

// benchResult is one workload's medians.
type benchResult struct {
	Workload string  `json:"workload"`
	Unit     string  `json:"unit"`
	N        int     `json:"n"` // iterations per run
	Rounds   int     `json:"rounds"`
	NSPR     float64 `json:"nspr"`  // the median over the rounds, in Unit
	Net      float64 `json:"net"`   // likewise for Go's net
	Ratio    float64 `json:"ratio"` // NSPR / Net: above 1, nspr is faster
	seconds  float64 // wall time of the whole workload, warm-up included
}

func workloadList() string {
	var b strings.Builder
	for _, w := range workload.Workloads {
		fmt.Fprintf(&b, "  %-*s %s, %s (%d a run, %d with --quick)\n", nameWidth, w.Name, w.Desc, w.Unit, w.Full, w.Quick)
	}
	return b.String()
}

// selectWorkloads returns the workloads named in the comma-separated list,
// or all for an empty one.
func selectWorkloads(list string) ([]workload.Workload, error) {
	if list == "" {
		return workload.Workloads, nil
	}
	var todo []workload.Workload
	for name := range strings.SplitSeq(list, ",") {
		w, ok := workload.Lookup(strings.TrimSpace(name))
		if !ok {
			var names []string
			for _, w := range workload.Workloads {
				names = append(names, w.Name)
			}
			return nil, usagef("unknown workload %q: want one of %s", name, strings.Join(names, ", "))
		}
		todo = append(todo, w)
	}
	return todo, nil
}

// benchWorkload warms w up, then runs it for rounds over every
// implementation, rotating their order each round.
func benchWorkload(ctx context.Context, w workload.Workload, n, rounds int) (benchResult, error) {
	start := time.Now()
	figures := make([][]float64, len(benchImpls))
	for round := -1; round < rounds; round++ {
		for k := range benchImpls {
			if err := ctx.Err(); err != nil {
				return benchResult{}, err
			}
			i := (k + max(round, 0)) % len(benchImpls)
			iters := n
			if round < 0 {
				iters = max(n/10, 1) // warm-up, not counted
			}
			elapsed, err := w.Run(benchImpls[i], iters)
			if err != nil {
				return benchResult{}, fmt.Errorf("%s: %w", benchImpls[i].Name(), err)
			}
			if round >= 0 {
				figures[i] = append(figures[i], w.Figure(iters, elapsed))
			}
		}
	}
	r := benchResult{
		Workload: w.Name, Unit: w.Unit, N: n, Rounds: rounds,
		NSPR: median(figures[0]), Net: median(figures[1]),
		seconds: time.Since(start).Seconds(),
	}
	if r.Net > 0 {
		r.Ratio = r.NSPR / r.Net
	}
	return r, nil
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// formatFigure prints a figure with about four significant digits and no
// exponent.
func formatFigure(f float64) string {
	switch {
	case f >= 1000:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	default:
		return fmt.Sprintf("%.3f", f)
	}
}

// nameWidth is the width of the workload column: the longest name's.
var nameWidth = func() int {
	n := len("workload")
	for _, w := range workload.Workloads {
		n = max(n, len(w.Name))
	}
	return n
}()

func printTable(std stdio, rep benchReport) error {
	const row = "%-*s %-7s %10s %10s %9s\n"
	fmt.Fprintf(std.out, row, nameWidth, "workload", "unit", "nspr", "net", "nspr/net")
	for _, r := range rep.Results {
		fmt.Fprintf(std.out, row, nameWidth, r.Workload, r.Unit, formatFigure(r.NSPR), formatFigure(r.Net), fmt.Sprintf("%.2f", r.Ratio))
	}
	_, err := fmt.Fprintf(std.out, "\nmedians of %d rounds, %s %s/%s, %d CPUs; nspr/net above 1: nspr is faster\n",
		rep.Rounds, rep.Go, rep.GOOS, rep.GOARCH, rep.CPUs)
	return err
}
