package nspr

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// The per-call path's code stays together. On a kernel that isolates its
// page tables without PCIDs (PTI, as on the machine of BENCHMARKS.md) every
// system call empties the TLB, so each page of code a call runs through
// costs a page walk on each call. The functions sit in sockio.go and, right
// after it, sockio_op.go, because the linker lays a package's functions out
// in the order of its files and declarations: no other code may come
// between them.
func TestDataPathLayout(t *testing.T) {
	// The functions every Recv, RecvFrom, Send and SendTo runs through,
	// from the method to the system call, first and last, and those that
	// may lie between them.
	first, last := (*Socket).Recv, (*Socket).run
	between := []any{
		(*Socket).recvWithin, (*Socket).recv, (*Socket).readLocked, (*Socket).readCoalescedLocked,
		(*Socket).RecvFrom, (*Socket).recvFrom,
		(*Socket).Send, (*Socket).sendWithin, (*Socket).send, (*Socket).lockWrite, (*Socket).Sendall,
		(*Socket).SendTo, (*Socket).sendTo,
		(*ioOp).try,
	}
	funcAt := func(f any) *runtime.Func { return runtime.FuncForPC(reflect.ValueOf(f).Pointer()) }
	allowed := map[string]bool{funcAt(first).Name(): true, funcAt(last).Name(): true}
	for _, f := range between {
		allowed[funcAt(f).Name()] = true
	}
	lo, hi := funcAt(first).Entry(), funcAt(last).Entry()
	if hi <= lo {
		t.Fatalf("%s starts at %#x, before %s at %#x", funcAt(last).Name(), hi, funcAt(first).Name(), lo)
	}
	seen := map[string]bool{}
	for pc := lo; pc <= hi; pc += 16 { // functions start 32-byte aligned
		fn := runtime.FuncForPC(pc)
		if fn == nil {
			continue
		}
		name := runtime.FuncForPC(fn.Entry()).Name() // not a function inlined there
		if i := strings.LastIndex(name, ".func"); i > 0 && allowed[name[:i]] {
			name = name[:i] // a closure of one of them
		}
		if i := strings.LastIndex(name, ".deferwrap"); i > 0 && allowed[name[:i]] {
			name = name[:i] // a deferred call of one of them
		}
		if !allowed[name] && !seen[name] {
			t.Errorf("%s lies among the data path's functions (%#x)", strings.TrimPrefix(name, "github.com/nspr-go/nspr."), pc)
		}
		seen[name] = true
	}
	for name := range allowed {
		if !seen[name] {
			t.Errorf("%s lies outside the data path's run of functions", strings.TrimPrefix(name, "github.com/nspr-go/nspr."))
		}
	}
}
