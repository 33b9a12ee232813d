package api

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/trails"
)

// checkHandler serves GET /check?q=: is one domain, address or URL a
// trail, for the caller's tenant (its custom trails) or globally (the
// trail set the sensors use)?
type checkHandler struct {
	store  Store
	trails func() *trails.Set
}

type checkJSON struct {
	Query     string `json:"query"`
	Found     bool   `json:"found"`
	Trail     string `json:"trail,omitempty"`
	Info      string `json:"info,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// checkCandidates lists the keys Maltrail's /check tries for q, in order:
// the scheme-less URL without trailing slashes, its host, then the host's
// parent domains down to (not including) the top-level domain.
func checkCandidates(q string) []string {
	probe := q
	if i := strings.Index(probe, "://"); i >= 2 && i <= 10 && isLowerAlpha(probe[:i]) {
		probe = probe[i+3:]
	}
	probe = strings.TrimRight(probe, "/")
	var out []string
	if probe != "" {
		out = append(out, probe)
	}
	host, _, _ := strings.Cut(probe, "/")
	if host != "" && host != probe {
		out = append(out, host)
	}
	if strings.Contains(host, ".") && !isDottedQuad(host) {
		parts := strings.Split(host, ".")
		for i := 1; i < len(parts)-1; i++ {
			out = append(out, strings.Join(parts[i:], "."))
		}
	}
	return out
}

func isLowerAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// isDottedQuad is Maltrail's `\A\d+\.\d+\.\d+\.\d+\Z`.
func isDottedQuad(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

func (h checkHandler) check(c *gin.Context) {
	q := strings.ToLower(strings.TrimSpace(c.Query("q")))
	if q == "" || len(q) > maxIndicatorLen {
		fail(c, publicf(http.StatusBadRequest, "q must be 1 to %d characters", maxIndicatorLen))
		return
	}
	custom, err := trailKind.list(c.Request.Context(), h.store, principalOf(c).Tenant)
	if err != nil {
		fail(c, err)
		return
	}
	byKey := make(map[string]indicator, len(custom))
	var nets []netip.Prefix
	for _, v := range custom {
		byKey[v.Key] = v
		if p, err := netip.ParsePrefix(v.Key); err == nil {
			nets = append(nets, p)
		}
	}
	var global *trails.Set
	if h.trails != nil {
		global = h.trails()
	}
	for _, cand := range checkCandidates(q) {
		// Custom trails are stored canonically; match any textual form
		// of an address the same way the global set does.
		key := cand
		addr, addrErr := netip.ParseAddr(cand)
		if addrErr == nil {
			addr = addr.Unmap()
			key = addr.String()
		} else if ap, err := netip.ParseAddrPort(cand); err == nil {
			key = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
		}
		if v, ok := byKey[key]; ok {
			c.JSON(http.StatusOK, checkJSON{Query: q, Found: true, Trail: cand, Info: v.Note, Reference: v.Reference})
			return
		}
		if addrErr == nil {
			for _, p := range nets {
				if p.Contains(addr) {
					v := byKey[p.String()]
					c.JSON(http.StatusOK, checkJSON{Query: q, Found: true, Trail: p.String(), Info: v.Note, Reference: v.Reference})
					return
				}
			}
		}
		if global == nil {
			continue
		}
		e, ok := global.Lookup(cand)
		if !ok && addrErr == nil {
			e, ok = global.LookupIP(addr)
		}
		if ok {
			c.JSON(http.StatusOK, checkJSON{Query: q, Found: true, Trail: cand, Info: e.Info, Reference: e.Reference})
			return
		}
	}
	c.JSON(http.StatusOK, checkJSON{Query: q})
}
