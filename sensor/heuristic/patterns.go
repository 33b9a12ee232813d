package heuristic

import (
	"github.com/spoorsec/spoor/sensor/heuristic/internal/pyre"
)

// Maltrail's detection patterns (core/settings.py at 8adace159e), verbatim.
// They are Python regular expressions and run with Python's semantics
// through internal/pyre.

// rule is a description and the Python pattern that triggers it.
type rule struct {
	desc    string
	pattern string
}

// requestRules is SUSPICIOUS_HTTP_REQUEST_REGEXES, searched in order with
// re.I|re.DOTALL; the first match names the attack.
var requestRules = [...]rule{
	{"potential sql injection", `information_schema|sysdatabases|sysusers|floor\(rand\(|ORDER BY \d+|\bUNION\s+(ALL\s+)?SELECT\b|\b(UPDATEXML|EXTRACTVALUE)\(|\bCASE[^\w]+WHEN.*THEN\b|\bWAITFOR[^\w]+DELAY\b|\bCONVERT\(|VARCHAR\(|\bCOUNT\(\*\)|\b(pg_)?sleep\(|\bSELECT\b.*\bFROM\b.*\b(WHERE|GROUP|ORDER)\b|\bSELECT \w+ FROM \w+|\b(AND|OR|SELECT)\b.*/\*.*\*/|/\*.*\*/.*\b(AND|OR|SELECT)\b|\b(AND|OR)[^\w]+\d+['\") ]?[=><]['\"( ]?\d+|ODBC;DRIVER|\bINTO\s+(OUT|DUMP)FILE|\bDROP[^\w]+(TABLE|DATABASE)\b`},
	{"potential xml injection", `/text\(\)='`},
	{"potential php injection", `<\?php|php://input`},
	{"potential ldap injection", `\(\|\(\w+=\*`},
	{"potential xss injection", `<script.*?>|\balert\(|(alert|confirm|prompt)\((\d+|document\.|response\.write\(|[^\w]*XSS)|on(mouseover|error|focus|transitionend)=[^&;\n]+\(`},
	{"potential xxe injection", `\[<!ENTITY`},
	{"potential ssti injection", `\${[^&]+\}|\$\{\{[^&]+\}\}`},
	{"potential data leakage", `im[es]i=\d{15}|iccid=[a-zA-Z0-9]{18,22}|(mac([aA]ddress)?|sid)=([0-9a-f]{2}:){5}[0-9a-f]{2}|sim=\d{20}|([a-z0-9_.+-]+@[a-z0-9-.]+\.[a-z]+\b.{0,100}){4}|(telnum|telcompany)=[a-zA-Z0-9-]+`},
	{"config file access", `\.ht(access|passwd)|\bwp-config\.php`},
	{"potential remote code execution", `\$_(REQUEST|GET|POST)\[|xp_cmdshell|shell_exec|exec_code|shell:::\{|oscmd\(|\bping(\.exe)? -[nc] \d+|timeout(\.exe)? /T|tftp -|wget http|curl -O|sh /tmp/|touch /tmp/|cmd\.exe|/bin/(ba)?sh\b|/sbin/launchd\b|2>&1|\b(cat|ls) /|chmod [0-7]{3,4}\b|chmod +x\b|base64 -d|nc -l -p \d+|>\s*/dev/null|-d (allow_url_include|safe_mode|auto_prepend_file)|ms-msdt:|mhtml:ftp:|jndi:(corba|dns|http|iiop|n(d|i)s|ldap[s]?|rmi):?|base64:JHtqbmRp|ipconfig|net (config|view)|nltest|netsh (firewall|wlan)|\$\{IFS\}|getRuntime\(\)\.exec\(|\.execSync\(`},
	{"potential directory traversal", `(\.{2,}[/\\]+){3,}|/etc/(group|passwd|shadow|issue|hostname|hosts|sudoers)|[/\\](boot|system|win)\.ini|[/\\]system32\b|%SYSTEMROOT%`},
	{"potential web scan", `(acunetix|injected_by)_wvs_|SomeCustomInjectedHeader|some_inexistent_file_with_long_name|testasp\.vulnweb\.com/t/fit\.txt|www\.acunetix\.tst|\.bxss\.me|thishouldnotexistandhopefullyitwillnot|OWASP%\d+ZAP|chr\(122\)\.chr\(97\)\.chr\(112\)|Vega-Inject|VEGA123|vega\.invalid|PUT-putfile|w00tw00t|muieblackcat`},
	{"potential dns changer", `\b(dhcpPriDns|dhcpSecDns|staticPriDns|staticSecDns|staticThiDns|PriDnsv6|SecDnsv6|ThiDnsv6|staticPriDnsv6|staticSecDnsv6|staticThiDnsv6|dnsipv4|dns2ipv4|dnsipv6|dns2ipv6|pppoePriDns|pppoeSecDns|wan_dns1|wan_dns2|dnsPrimary|dnsSecondary|dnsDynamic|dnsRefresh|DNS_FST|DNS_SND|dhcpPriDns|dhcpSecDns|dnsserver|dnsserver1|dnsserver2|dns_server_ip_1|dns_server_ip_2|dns_server_ip_3|dns_server_ip_4|dns1|dns2|dns3|dns4|dns1_1|dns1_2|dns1_3|dns1_4|dns2_1|dns2_2|dns2_3|dns2_4|wan_dns_x|wan_dns1_x|wan_dns2_x|wan_dns3_x|wan_dns4_x|wan_dnsenable_x|dns_status|p_DNS|a_DNS|uiViewDns1Mark|uiViewDns2Mark|uiViewDNSRelay|is_router_as_dns|Enable_DNSFollowing|domainserverip|DSEN|DNSEN|dnsmode|dns%5Bserver1%5D|dns%5Bserver2%5D)=`},
}

// pathRules is SUSPICIOUS_HTTP_PATH_REGEXES, searched in the file name of
// a request with re.I.
var pathRules = [...]rule{
	{"non-existent page", `defaultwebpage\.cgi`},
	{"potential web scan", `inexistent_file_name\.inexistent|test-for-some-inexistent-file|long_inexistent_path|some-inexistent-website\.acu`},
}

// Single patterns.
const (
	directIPURLPattern = `\A[\w./-]*/[\w.]*\b(aarch|amd64\b|arm(\b|v?\d)|arcle-(750d|hs38)|exploit|m68k?\b|m[i1]ps\w{0,4}\b|mpsl\w?\b|pcc|powerp{1,2}c|pp-?c|riscv\w{0,3}\b|root|s390\w?\b|x86|x32|x64|i\d{1,2}\b|i386|i486|i586|i686|sparc|sh\b|wtf|yarn|zte)\Z`
	sinkholePattern    = `(?im)^(X-Sinkhole|Server): (malware-?)?sinkhole|\bSinkholed? by |^(X-Sinkholed?(-Domain)?|X-Zinkhole|X-Sinkhole):| a malware sinkhole|\bSinkhole( Project)?</title>|This is a sinkhole|bots party hard|computers connecting to this sinkhole| Sinkhole by |^Set-Cookie: snkz=|^Server: Apache [0-9.]+/SinkSoft|^Location:[^\n]+\.sinkdns\.org:80`
	whitelistUAPattern = `AntiVir\-NGUpd|TMSPS|AVGSETUP|SDDS|Sophos|Symantec|internal dummy connection|Microsoft\-CryptoAPI`
)

var (
	requestSet  = compileRules(requestRules[:], pyre.IgnoreCase|pyre.DotAll)
	pathSet     = compileRules(pathRules[:], pyre.IgnoreCase)
	directIPURL = pyre.MustCompile(directIPURLPattern, 0)
	sinkhole    = compileAlternatives(sinkholePattern, 0)
	whitelistUA = compileAlternatives(whitelistUAPattern, pyre.IgnoreCase)
)

// ruleSet is an ordered rule list searched as one pyre.Set of the rules'
// top-level alternatives (smaller patterns, sharper literal prefilters).
type ruleSet struct {
	set   *pyre.Set
	rules []rule
	owner []int // alternative index -> rule index
}

// first returns the description of the first rule matching s.
func (r *ruleSet) first(s string) (string, bool) {
	i := r.set.First(s)
	if i < 0 {
		return "", false
	}
	return r.rules[r.owner[i]].desc, true
}

func compileRules(rules []rule, flags pyre.Flags) *ruleSet {
	rs := &ruleSet{rules: rules}
	var pats []*pyre.Regexp
	for i, r := range rules {
		alts, err := pyre.CompileAlternatives(r.pattern, flags)
		if err != nil {
			panic("BUG: " + err.Error())
		}
		for _, a := range alts {
			pats = append(pats, a)
			rs.owner = append(rs.owner, i)
		}
	}
	rs.set = pyre.NewSet(pats)
	return rs
}

func compileAlternatives(pattern string, flags pyre.Flags) *pyre.Set {
	alts, err := pyre.CompileAlternatives(pattern, flags)
	if err != nil {
		panic("BUG: " + err.Error())
	}
	return pyre.NewSet(alts)
}
