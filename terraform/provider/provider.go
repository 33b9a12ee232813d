// Package provider is Spoor's Terraform provider (OpenTofu and Terraform):
// it manages a collector's tenants, users, sensors, custom trails,
// whitelists and webhook alerts through the collector's API.
package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

// Environment variables that stand in for provider settings.
const (
	envURL        = "SPOOR_URL"
	envUsername   = "SPOOR_USERNAME"
	envPassword   = "SPOOR_PASSWORD"
	envTenant     = "SPOOR_TENANT"
	envCACert     = "SPOOR_CA_CERTIFICATE"
	envCACertFile = "SPOOR_CA_CERTIFICATE_FILE"
)

// Address is the provider's source address.
const Address = "registry.opentofu.org/spoorsec/spoor"

// New returns a constructor of the provider, as providerserver wants.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &spoorProvider{version: version} }
}

type spoorProvider struct{ version string }

type providerModel struct {
	URL               types.String `tfsdk:"url"`
	Username          types.String `tfsdk:"username"`
	Password          types.String `tfsdk:"password"`
	Tenant            types.String `tfsdk:"tenant"`
	CACertificate     types.String `tfsdk:"ca_certificate"`
	CACertificateFile types.String `tfsdk:"ca_certificate_file"`
}

func (p *spoorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "spoor"
	resp.Version = p.version
}

func (p *spoorProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages a Spoor collector: tenants, users, sensors, custom trails, whitelists and webhook alerts.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				Optional:    true,
				Description: "Collector base URL, e.g. https://collector.example.net:8443 (or $" + envURL + ").",
			},
			"username": schema.StringAttribute{
				Optional:    true,
				Description: "User to log in as, usually an MSSP admin (or $" + envUsername + ").",
			},
			"password": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Description: "That user's password (or $" + envPassword + ").",
			},
			"tenant": schema.StringAttribute{
				Optional:    true,
				Description: "Tenant of the user, needed only when the name exists in several tenants (or $" + envTenant + ").",
			},
			"ca_certificate": schema.StringAttribute{
				Optional:    true,
				Description: "PEM CA certificate that signed the collector's certificate, or its self-signed certificate (or $" + envCACert + ").",
			},
			"ca_certificate_file": schema.StringAttribute{
				Optional:    true,
				Description: "Path of that PEM file, instead of ca_certificate (or $" + envCACertFile + ").",
			},
		},
	}
}

// setting returns a configured value, else the environment variable.
func setting(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (p *spoorProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]types.String{"url": m.URL, "username": m.Username, "password": m.Password,
		"tenant": m.Tenant, "ca_certificate": m.CACertificate, "ca_certificate_file": m.CACertificateFile} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider setting",
				"The provider's "+name+" depends on a value known only after apply; set it from a value known at plan time.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := client.Config{
		URL:       setting(m.URL, envURL),
		Username:  setting(m.Username, envUsername),
		Password:  setting(m.Password, envPassword),
		Tenant:    setting(m.Tenant, envTenant),
		UserAgent: "terraform-provider-spoor/" + p.version,
	}
	for _, req := range []struct{ attr, env, value string }{
		{"url", envURL, cfg.URL}, {"username", envUsername, cfg.Username}, {"password", envPassword, cfg.Password},
	} {
		if req.value == "" {
			resp.Diagnostics.AddAttributeError(path.Root(req.attr), "Missing provider setting",
				fmt.Sprintf("Set the provider's %s, or the environment variable %s.", req.attr, req.env))
		}
	}
	// Either CA setting in the configuration beats both variables.
	pemText, file := setting(m.CACertificate, envCACert), setting(m.CACertificateFile, envCACertFile)
	if !m.CACertificateFile.IsNull() && m.CACertificate.IsNull() {
		pemText = ""
	}
	if pemText != "" {
		cfg.CACertPEM = []byte(pemText)
	} else if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("ca_certificate_file"), "Cannot read the CA certificate", err.Error())
		}
		cfg.CACertPEM = b
	}
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := client.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid provider configuration", err.Error())
		return
	}
	resp.ResourceData = c
	resp.DataSourceData = c
}

func (p *spoorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newTenantResource,
		newUserResource,
		newSensorResource,
		newCustomTrailsResource,
		newWhitelistResource,
		newWebhookResource,
	}
}

func (p *spoorProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newTenantDataSource,
		newSensorsDataSource,
	}
}
