package feeds

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// DefaultDisabled is Maltrail's shipped DISABLED_FEEDS.
var DefaultDisabled = []string{"turris", "ciarmy", "policeman", "myip", "alienvault"}

const firehol = "https://iplists.firehol.org/files/"

// Maltrail returns Maltrail's 42 feed modules in module name order, the order in which
// update_trails merges them. Each call returns fresh Sources.
func Maltrail() []Source {
	src := []Source{
		{Name: "abuseipdb", URL: "https://raw.githubusercontent.com/borestad/blocklist-abuseipdb/main/abuseipdb-s100-1d.ipv4",
			Check: ".1", Info: "known attacker", Reference: "abuseipdb.com", parse: abuseipdbList},
		{Name: "alienvault", URL: "https://reputation.alienvault.com/reputation.generic",
			Check: " # Malicious", Info: "bad reputation", Reference: "alienvault.com", parse: alienvaultList},
		{Name: "atmos", URL: "https://cybercrime-tracker.net/ccam.php",
			Check: "Atmos Strategic Monitoring", Info: "atmos (malware)", Reference: "cybercrime-tracker.net", parse: regexpList(atmosRow)},
		{Name: "badips", URL: "https://www.badips.com/get/list/any/2?age=7d",
			URLs:  []string{"https://www.badips.com/get/list/any/2?age=7d", firehol + "bi_any_2_7d.ipset"},
			Check: ".1", Info: "known attacker", Reference: "badips.com", mode: fetchFallback, parse: plainList},
		{Name: "binarydefense", URL: "https://www.binarydefense.com/banlist.txt",
			Check: "ATIF feed", Info: "known attacker", Reference: "binarydefense.com", parse: plainList},
		{Name: "bitcoinnodes", URL: firehol + "bitcoin_nodes_1d.ipset",
			Check: "bitcoin_nodes_1d", Info: "bad reputation (bitcoin node)", Reference: "bitnodes.io", parse: plainList},
		{Name: "blackbook", URL: "https://raw.githubusercontent.com/stamparm/blackbook/master/blackbook.csv",
			Check: "Malware", Reference: "github.com/stamparm/blackbook", parse: blackbookList},
		{Name: "blackholemonster", URL: "https://blackhole.monster/blackhole-today",
			Check: ".1", Info: "known attacker", Reference: "ip.blackhole.monster", parse: plainList},
		{Name: "blocklist", URL: "https://lists.blocklist.de/lists/all.txt",
			Info: "known attacker", Reference: "blocklist.de", parse: plainList},
		{Name: "botscout", URL: "https://raw.githubusercontent.com/firehol/blocklist-ipsets/master/botscout_1d.ipset",
			Check: "botscout_1d", Info: "spammer", Reference: "botscout.com", parse: plainList},
		{Name: "bruteforceblocker", URL: "http://danger.rulez.sk/projects/bruteforceblocker/blist.php",
			Check: "Last Reported", Info: "known attacker", Reference: "rulez.sk", parse: listOf(firstField("\t", false))},
		{Name: "ciarmy", URL: "http://cinsscore.com/list/ci-badguys.txt",
			Info: "known attacker", Reference: "cinsscore.com", parse: plainList},
		{Name: "cleantalk", URL: firehol + "cleantalk_1d.ipset",
			Check: "[CleanTalk]", Info: "spammer", Reference: "cleantalk.org", parse: plainList},
		{Name: "cybercrimetracker", URL: "https://cybercrime-tracker.net/all.php",
			Check: "cp.php?m=login", Info: "malware", Reference: "cybercrime-tracker.net", parse: cybercrimeList},
		{Name: "dataplane", URL: "https://dataplane.org/*.txt", URLs: dataplaneURLs(),
			Check: "Dataplane.org", Info: "known attacker", Reference: "dataplane.org", mode: fetchEach, parse: dataplaneList},
		{Name: "dshieldip", URL: firehol + "dshield_top_1000.ipset",
			Check: ".1", Info: "known attacker", Reference: "dshield.org", parse: listOf(func(l string) string { return pySplit(l)[0] })},
		{Name: "emergingthreatsbot", URL: "https://rules.emergingthreats.net/open/suricata/rules/botcc.rules",
			Check: "CnC Server", Info: "potential malware site", Reference: "emergingthreats.net",
			parse: regexpList(regexp.MustCompile(`\d+\.\d+\.\d+\.\d+`))},
		{Name: "emergingthreatscip", URL: "https://rules.emergingthreats.net/open/suricata/rules/compromised-ips.txt",
			Info: "compromised (suspicious)", Reference: "emergingthreats.net", parse: plainList},
		{Name: "emergingthreatsdns", URL: "https://rules.emergingthreats.net/open/suricata/rules/emerging-malware.rules",
			Check: "Emerging Threats", Info: "malware", Reference: "emergingthreats.net", parse: etDNSList},
		{Name: "fareit", URL: "https://cybercrime-tracker.net/ccpmgate.php",
			Check: "/gate.php", Info: "fareit (malware)", Reference: "cybercrime-tracker.net", parse: urlList(false)},
		{Name: "feodotrackerip", URL: "https://feodotracker.abuse.ch/downloads/ipblocklist.csv",
			Check: "dst_ip", Reference: "abuse.ch", parse: feodoList},
		{Name: "gpfcomics", URL: firehol + "gpf_comics.ipset",
			Check: "comics", Info: "known attacker", Reference: "gpf-comics.com", parse: plainList},
		{Name: "greensnow", URL: "https://blocklist.greensnow.co/greensnow.txt",
			Check: ".1", Info: "known attacker", Reference: "greensnow.co", parse: plainList,
			// Maltrail sends only this User-agent: the server has appended error text to
			// its gzip stream, so the body is asked for uncompressed.
			header: http.Header{"User-Agent": {"Maltrail"}, "Accept-Encoding": {"identity"}}},
		{Name: "ipnoise", URL: "https://www.sekuripy.hr/blacklist.txt",
			Check: "ipnoise", Info: "known attacker", Reference: "sekuripy.hr", parse: plainList},
		{Name: "maxmind", URL: firehol + "maxmind_proxy_fraud.ipset",
			Check: "[MaxMind.com]", Info: "bad reputation (suspicious)", Reference: "maxmind.com", parse: plainList},
		{Name: "minerchk", URL: "https://raw.githubusercontent.com/Hestat/minerchk/master/hostslist.txt",
			Check: ".com", Info: "crypto mining (suspicious)", Reference: "github.com/Hestat", parse: plainList},
		{Name: "myip", URL: "https://myip.ms/files/blacklist/htaccess/latest_blacklist.txt",
			Check: "ADDRESSES DATABASE", Info: "crawler", Reference: "myip.ms",
			parse: regexpList(regexp.MustCompile(`deny from (\d+\.\d+\.\d+\.\d+)`))},
		{Name: "openphish", URL: "https://openphish.com/feed.txt",
			Check: "http://", Info: "phishing", Reference: "openphish.com", parse: urlList(true)},
		{Name: "policeman", URL: "https://raw.githubusercontent.com/futpib/policeman-rulesets/master/examples/simple_domains_blacklist.txt",
			Check: "malwaredomains.com", Info: "malware", Reference: "malwaredomains.com", parse: policemanList},
		{Name: "rutgers", URL: "https://report.cs.rutgers.edu/DROP/attackers",
			Check: ".1", Info: "known attacker", Reference: "rutgers.edu", parse: plainList},
		{Name: "sblam", URL: "https://sblam.com/blacklist.txt",
			Check: "HTTP spam sources", Info: "bad reputation (suspicious)", Reference: "sblam.com", parse: plainList},
		{Name: "scriptzteam", URL: "https://raw.githubusercontent.com/scriptzteam/badIPS/main/ips.txt",
			Check: ".1", Info: "bad reputation", Reference: "github.com/scriptzteam/badIPS", parse: scriptzteamList},
		{Name: "socksproxy", URL: "https://raw.githubusercontent.com/firehol/blocklist-ipsets/master/socks_proxy_7d.ipset",
			Check: "socks_proxy_7d", Info: "proxy (suspicious)", Reference: "socks-proxy.net", parse: plainList},
		{Name: "sslblcert", URL: "https://sslbl.abuse.ch/blacklist/sslblacklist.csv",
			Check: "SSL Certificate Blacklist", Reference: "abuse.ch", parse: sslblList},
		{Name: "sslproxies", URL: "https://raw.githubusercontent.com/firehol/blocklist-ipsets/master/sslproxies_1d.ipset",
			Check: "sslproxies_1d", Info: "proxy (suspicious)", Reference: "sslproxies.org", parse: plainList},
		{Name: "statics", URL: "https://raw.githubusercontent.com/stamparm/aux/master/maltrail-static-trails.txt",
			Check: "morphed.ru", parse: staticsList, Timeout: 5 * time.Minute}, // ~80 MB
		{Name: "torproject", URL: "https://check.torproject.org/cgi-bin/TorBulkExitList.py?ip=1.1.1.1",
			Check: "185.220.", Info: "tor exit node (suspicious)", Reference: "torproject.org", parse: plainList},
		{Name: "torprojectnodes", URL: "https://onionoo.torproject.org/details?type=relay&running=true&fields=or_addresses",
			Check: "or_addresses", Info: "bad reputation (tor node)", Reference: "torproject.org", parse: torNodesList},
		{Name: "trickbot", URL: "https://github.com/JR0driguezB/malware_configs",
			URLs: []string{
				"https://github.com/JR0driguezB/malware_configs/tree/master/TrickBot/mcconf_files",
				"https://raw.githubusercontent.com/JR0driguezB/malware_configs/master/TrickBot/mcconf_files/",
			},
			Check: "mcconf", Info: "trickbot (malware)", Reference: "github.com/JR0driguezB", mode: fetchIndexed,
			parse: regexpList(regexp.MustCompile(`<srv>([\d.]+)`))},
		{Name: "turris", URL: "https://view.sentinel.turris.cz/greylist-data/greylist-latest.csv",
			Check: ".1", Info: "bad reputation", Reference: "turris.cz", parse: listOf(firstField(",", true))},
		{Name: "urlhaus", URL: "https://urlhaus.abuse.ch/downloads/text/",
			Check: "URLhaus", Info: "malware", Reference: "abuse.ch", parse: urlhausList},
		{Name: "viriback", URL: "http://tracker.viriback.com/dump.php",
			Check: "Family,URL,IP,FirstSeen", Info: "malware", Reference: "viriback.com", parse: viribackList},
	}
	for i := range src {
		s := &src[i]
		if s.URLs == nil {
			s.URLs = []string{s.URL}
		}
		s.Disabled = slices.Contains(DefaultDisabled, s.Name)
	}
	return src
}

func dataplaneURLs() []string {
	var urls []string
	for _, n := range strings.Fields("dnsrd dnsrdany dnsversion sipinvitation sipquery sipregistration smtpdata smtpgreet sshclient sshpwauth vncrfb") {
		urls = append(urls, "https://dataplane.org/"+n+".txt")
	}
	return urls
}
