package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

// clientHolder gives resources and data sources the provider's client.
type clientHolder struct{ client *client.Client }

// configure takes the client the provider made; data is nil while
// Terraform validates before the provider is configured.
func (h *clientHolder) configure(data any, diags *diag.Diagnostics) {
	if data == nil {
		return
	}
	c, ok := data.(*client.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("got %T, want *client.Client; please report this bug", data))
		return
	}
	h.client = c
}

// apiError turns an API failure into a diagnostic that says what was being
// done, what the collector answered, and what usually fixes it.
func apiError(diags *diag.Diagnostics, action string, err error) {
	detail := err.Error()
	var e *client.Error
	switch {
	case errors.As(err, &e) && e.Status == http.StatusUnauthorized:
		detail += "\n\nCheck the provider's username and password."
	case errors.As(err, &e) && e.Status == http.StatusForbidden:
		detail += "\n\nThe provider's user lacks the role for this: tenants need an MSSP admin; users, sensors, lists and webhooks a tenant admin."
	case strings.Contains(detail, "x509") || strings.Contains(detail, "certificate"):
		detail += "\n\nGive the provider the collector's CA certificate (ca_certificate or ca_certificate_file)."
	}
	diags.AddError("Cannot "+action, detail)
}

// splitID splits an import ID of the form "a/b".
func splitID(id string, parts int, form string, diags *diag.Diagnostics) []string {
	s := strings.Split(id, "/")
	ok := len(s) == parts
	for _, p := range s {
		ok = ok && p != ""
	}
	if !ok {
		diags.AddError("Invalid import ID", fmt.Sprintf("got %q, want %s", id, form))
		return nil
	}
	return s
}

// timeValue renders an API timestamp for state (RFC 3339, UTC).
func timeValue(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
