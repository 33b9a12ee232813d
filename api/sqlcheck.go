package api

import (
	"net/http"
	"strings"
)

// maxASTLines bounds the parsed size of a tenant query.
const maxASTLines = 20_000

// deniedFunctions reach outside the query's rows: files, other servers,
// dictionaries, Join tables, models, or facts about the host and server.
// Table functions are refused by position, whatever their name.
var deniedFunctions = map[string]bool{
	"file": true, "url": true, "s3": true, "remote": true, "remotesecure": true, "cluster": true, "mysql": true,
	"postgresql": true, "executable": true, "input": true, "joinget": true, "joingetornull": true,
	"catboostevaluate": true, "evalmlmethod": true, "naivebayesclassifier": true, "hostname": true,
	"hostname_": true, "fqdn": true, "fullhostname": true, "getmacro": true, "tcpport": true, "getserverport": true,
	"uptime": true, "serveruuid": true, "buildid": true, "version": true, "revision": true, "getoskernelversion": true,
	"currentuser": true, "user": true, "currentprofiles": true, "currentroles": true, "enabledprofiles": true,
	"enabledroles": true, "defaultroles": true, "defaultprofiles": true, "displayname": true, "initialqueryid": true,
	"initialquerystarttime": true, "queryid": true, "getclienthttpheader": true, "demangle": true, "globalvariable": true,
	"shardnum": true, "shardcount": true, "getsetting": true, "getsettingordefault": true, "getmergetreesetting": true,
	"getserversetting": true, "currentdatabase": true, "currentschemas": true, "hascolumnintable": true,
	"logtrace": true, "filesystemavailable": true, "filesystemcapacity": true, "filesystemunreserved": true,
	"zookeepersessionuptime": true, "gettypeserializationstreams": true,
}

// deniedFunctionPrefixes name families of such functions.
var deniedFunctionPrefixes = []string{"dict", "sleep", "addressto", "transaction", "filesystem"}

// dbPrefixes are database names a dotted identifier must not start with.
var dbPrefixes = []string{"system.", "information_schema.", "default.", "spoor."}

// checkTenantAST vets ClickHouse's `EXPLAIN AST` of a tenant query: one
// plain SELECT that reads only the table `events`, with no SETTINGS, no
// CTEs, nothing named `events` but the table, no table functions and no
// function that reaches outside the query. It is the API's first wall;
// the store checks the analysed query again and filters by tenant inside
// the engine.
func checkTenantAST(ast string) error {
	lines := strings.Split(strings.TrimRight(ast, "\n"), "\n")
	if len(lines) > maxASTLines {
		return publicf(http.StatusBadRequest, "query too complex (%d syntax nodes, at most %d)", len(lines), maxASTLines)
	}
	if lines[0] != "SelectWithUnionQuery (children 1)" {
		return publicf(http.StatusBadRequest, "only one plain SELECT is allowed (no FORMAT, INTO OUTFILE, SETTINGS or other statement)")
	}
	tableExprIndent := -1
	for _, raw := range lines {
		indent := len(raw) - len(strings.TrimLeft(raw, " "))
		l := strings.TrimSpace(raw)
		node, rest, _ := strings.Cut(l, " ")
		if strings.Contains(l, "(alias events)") {
			return publicf(http.StatusBadRequest, "the name events is reserved for the events table")
		}
		switch node {
		case "Set", "SetQuery", "SettingsProfileElements":
			return publicf(http.StatusBadRequest, "SETTINGS are not allowed")
		case "WithElement":
			return publicf(http.StatusBadRequest, "WITH subqueries (CTEs) are not allowed; use a subquery in FROM")
		case "TableExpression":
			tableExprIndent = indent
			continue
		case "TableIdentifier":
			name, _, _ := strings.Cut(rest, " ")
			if name != "events" {
				return publicf(http.StatusBadRequest, "only the table events can be read (got %s)", clip(name, 64))
			}
		case "Identifier":
			name := strings.ToLower(strings.Trim(rest, " "))
			for _, p := range dbPrefixes {
				if strings.HasPrefix(name, p) {
					return publicf(http.StatusBadRequest, "only the table events can be read")
				}
			}
		case "Function":
			name, _, _ := strings.Cut(rest, " ")
			if tableExprIndent >= 0 && indent == tableExprIndent+1 {
				return publicf(http.StatusBadRequest, "table functions are not allowed (got %s)", clip(name, 64))
			}
			if deniedFunction(name) {
				return publicf(http.StatusBadRequest, "function %s is not allowed", clip(name, 64))
			}
		}
		tableExprIndent = -1
	}
	return nil
}

func deniedFunction(name string) bool {
	lower := strings.ToLower(name)
	if deniedFunctions[lower] {
		return true
	}
	for _, p := range deniedFunctionPrefixes {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
