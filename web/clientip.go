package web

// The client's address for the per-address rate limits (docs/interfaces.md §5.2).
//
// Fiber's c.IP() behind a trusted proxy returns the X-Forwarded-For header as sent, or its leftmost
// address: both are what the client wrote, since a load balancer appends the address it saw to the
// header it received. A client could then start a fresh count with every request by sending
// "X-Forwarded-For: <anything>". clientIP reads the header from the right instead: the nearest address
// that is not itself a trusted proxy is the one the last trusted hop saw connect.

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// trustedNets parses TRUSTED_PROXIES entries (addresses or CIDR prefixes). An entry that is neither is
// an error: ignored, as Fiber would, it would leave the proxy untrusted and make every per-address
// limit one limit for all clients behind it.
func trustedNets(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else {
			return nil, fmt.Errorf("web: trusted proxy %q is neither an IP address nor a CIDR prefix", s)
		}
	}
	return out, nil
}

func (a *App) isTrustedProxy(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range a.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parseForwarded reads one X-Forwarded-For entry: an address, possibly with a port or in brackets.
func parseForwarded(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return a.Unmap(), err == nil
}

// clientIP is the client's address: the connection's unless it comes from a trusted proxy; then the
// rightmost X-Forwarded-For entry that is not a trusted proxy (the proxies' own hops are skipped). An
// entry that is no address ends the walk at the last hop before it, so junk a client wrote to the left
// of what the proxies appended is never reached.
func (a *App) clientIP(c *fiber.Ctx) string {
	remote, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	remote = remote.Unmap()
	if len(a.trusted) == 0 || !a.isTrustedProxy(remote) {
		return remote.String()
	}
	client := remote
	entries := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(entries) - 1; i >= 0; i-- {
		if strings.TrimSpace(entries[i]) == "" {
			continue
		}
		addr, ok := parseForwarded(entries[i])
		if !ok {
			break
		}
		client = addr
		if !a.isTrustedProxy(addr) {
			break
		}
	}
	return client.String()
}
