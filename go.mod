module github.com/nspr-go/nspr

go 1.26.0

require (
	github.com/miekg/dns v1.1.73
	golang.org/x/net v0.57.0
	golang.org/x/sys v0.50.0
)
