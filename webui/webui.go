// Package webui serves Spoor's web console: a static single-page app built
// from webui/src into webui/dist by build.sh (npm ci + esbuild) and
// embedded into the binary. It makes no request outside the collector it
// is served by. A binary built before the console was leaves dist/ empty;
// the console's routes then answer 503 with the command that builds it.
package webui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed all:dist
var embedded embed.FS

// Prefix is where the console is served; "/" redirects to it.
const Prefix = "/ui/"

// NotBuilt is the body of the 503 answered when dist/ holds no build.
const NotBuilt = "web UI not built: run scripts/setup.sh (or webui/build.sh) and rebuild spoor\n"

// contentSecurityPolicy allows nothing but this origin: no CDN, no inline
// script, no framing. Inline styles stay allowed for the chart library's
// computed positions.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; worker-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

type asset struct {
	body  []byte
	ctype string
	etag  string
}

// Console serves the built files of one file system.
type Console struct {
	assets map[string]asset
}

// Embedded returns the console built into this binary.
func Embedded() (*Console, error) {
	sub, err := fs.Sub(embedded, "dist")
	if err != nil {
		return nil, fmt.Errorf("cannot open the embedded web UI: %w", err)
	}
	return New(sub)
}

// New loads the console from fsys (a dist/ directory). A file system
// without index.html is a console that is not built.
func New(fsys fs.FS) (*Console, error) {
	c := &Console{assets: map[string]asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		c.assets[p] = asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot load the web UI: %w", err)
	}
	if _, ok := c.assets["index.html"]; !ok {
		c.assets = nil
	}
	return c, nil
}

// Built reports whether the console has a build to serve.
func (c *Console) Built() bool { return c.assets != nil }

// Register mounts the console on r: GET / redirects to /ui/, and /ui/*
// serves the files.
func (c *Console) Register(r gin.IRoutes) {
	r.GET("/", func(g *gin.Context) { g.Redirect(http.StatusFound, Prefix) })
	r.GET(Prefix+"*file", c.serve)
	r.HEAD(Prefix+"*file", c.serve)
}

func (c *Console) serve(g *gin.Context) {
	h := g.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if !c.Built() {
		g.String(http.StatusServiceUnavailable, NotBuilt)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+g.Param("file")), "/")
	if name == "" {
		name = "index.html"
	}
	a, ok := c.assets[name]
	if !ok {
		g.String(http.StatusNotFound, "not found\n")
		return
	}
	if name == "index.html" {
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
	}
	// Every file is revalidated: builds keep their names, the ETag says
	// whether the content changed.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	if match := g.GetHeader("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		g.Status(http.StatusNotModified)
		return
	}
	g.Data(http.StatusOK, a.ctype, a.body)
}
