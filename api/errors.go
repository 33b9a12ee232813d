package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/store"
)

// Error is an error whose message is safe to show to the client. Any
// other error is logged and answered 500 without details.
type Error struct {
	Status int
	Msg    string
	// RetryAfter, if set, is sent as Retry-After (429).
	RetryAfter time.Duration
	// Fields are sent beside "error" (e.g. totp_required).
	Fields map[string]any
}

func (e *Error) Error() string { return e.Msg }

func publicf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

var (
	errUnauthenticated = &Error{Status: http.StatusUnauthorized, Msg: "authentication required"}
	errBadCredentials  = &Error{Status: http.StatusUnauthorized, Msg: "invalid credentials"}
	errForbidden       = &Error{Status: http.StatusForbidden, Msg: "not allowed"}
)

func errNotFound(what string) *Error {
	return publicf(http.StatusNotFound, "%s not found", what)
}

// renderErrors is the one place errors become responses: the last error a
// handler attached with c.Error is rendered as {"error": ...}.
func (a *API) renderErrors(c *gin.Context) {
	c.Next()
	if len(c.Errors) == 0 || c.Writer.Written() {
		return
	}
	err := c.Errors.Last().Err
	var pub *Error
	if errors.As(err, &pub) {
		if pub.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(int(pub.RetryAfter.Seconds()+0.999)))
		}
		body := gin.H{"error": pub.Msg}
		for k, v := range pub.Fields {
			body[k] = v
		}
		c.JSON(pub.Status, body)
		return
	}
	a.log.Error("request failed", "method", c.Request.Method, "path", c.FullPath(),
		"request_id", c.GetString(ctxRequestID), "err", err)
	c.JSON(http.StatusInternalServerError, gin.H{"error": "internal error"})
}

// fail attaches err for renderErrors and stops the chain.
func fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// bindJSON decodes the body into v, answering 400 (or 413) itself.
func bindJSON(c *gin.Context, v any) bool {
	if err := c.ShouldBindJSON(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(c, publicf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", tooBig.Limit))
			return false
		}
		fail(c, publicf(http.StatusBadRequest, "malformed JSON body"))
		return false
	}
	return true
}

// storeErr turns a store error into a public one where its meaning is
// known (what names the missing thing); others stay private.
func storeErr(err error, what string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNotFound(what)
	case errors.Is(err, store.ErrQueryRefused):
		return err // the SQL handler words these itself
	}
	return err
}

// isNotFound reports whether err is a public 404.
func isNotFound(err error) bool {
	var pub *Error
	return errors.As(err, &pub) && pub.Status == http.StatusNotFound
}
