package provider

import (
	"context"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

type webhookResource struct{ clientHolder }

func newWebhookResource() resource.Resource { return &webhookResource{} }

type webhookModel struct {
	ID              types.String `tfsdk:"id"`
	Tenant          types.String `tfsdk:"tenant"`
	WebhookID       types.String `tfsdk:"webhook_id"`
	URL             types.String `tfsdk:"url"`
	MinSeverity     types.String `tfsdk:"min_severity"`
	ThrottleSeconds types.Int64  `tfsdk:"throttle_seconds"`
	Enabled         types.Bool   `tfsdk:"enabled"`
	Secret          types.String `tfsdk:"secret"`
	CreatedAt       types.String `tfsdk:"created_at"`
}

func (m *webhookModel) set(tenant string, w client.Webhook) {
	m.ID = types.StringValue(tenant + "/" + w.ID)
	m.Tenant = types.StringValue(tenant)
	m.WebhookID = types.StringValue(w.ID)
	// The collector stores the URL re-serialised; keep the configured
	// spelling while it means the same URL.
	if m.URL.IsNull() || m.URL.IsUnknown() || canonicalURL(m.URL.ValueString()) != w.URL {
		m.URL = types.StringValue(w.URL)
	}
	m.MinSeverity = types.StringValue(w.MinSeverity)
	m.ThrottleSeconds = types.Int64Value(w.ThrottleSeconds)
	m.Enabled = types.BoolValue(w.Enabled)
	m.CreatedAt = timeValue(w.CreatedAt)
}

func canonicalURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.String()
}

func (m webhookModel) api() client.WebhookRequest {
	return client.WebhookRequest{URL: m.URL.ValueString(), MinSeverity: m.MinSeverity.ValueString(),
		ThrottleSeconds: m.ThrottleSeconds.ValueInt64(), Enabled: m.Enabled.ValueBool()}
}

func (r *webhookResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webhook"
}

func (r *webhookResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

func (r *webhookResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A webhook alert: the collector POSTs signed JSON for a tenant's events at or above a severity.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep, Description: "TENANT/WEBHOOK_ID (also the import ID).",
			},
			"tenant": schema.StringAttribute{
				Required: true, Description: "Tenant ID.", Validators: tenantIDValidators(),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"webhook_id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep, Description: "The collector's webhook ID.",
			},
			"url": schema.StringAttribute{
				Required: true, Sensitive: true,
				Description: "https URL to POST to, on a public address (it often carries a token, hence sensitive).",
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
			"min_severity": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("high"),
				Description: "low, medium or high (default).",
				Validators:  []validator.String{stringvalidator.OneOf("low", "medium", "high")},
			},
			"throttle_seconds": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(300),
				Description: "At most one delivery per threat per this many seconds (0 to 86400, default 300).",
				Validators:  []validator.Int64{int64validator.Between(0, 86400)},
			},
			"enabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				Description: "false keeps the webhook but stops deliveries.",
			},
			"secret": schema.StringAttribute{
				Computed: true, Sensitive: true, PlanModifiers: keep,
				Description: "Signing secret, shown by the collector only at creation (null after import).",
			},
			"created_at": schema.StringAttribute{
				Computed: true, PlanModifiers: keep, Description: "When the webhook was created (RFC 3339).",
			},
		},
	}
}

func (r *webhookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan webhookModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant := plan.Tenant.ValueString()
	w, err := r.client.CreateWebhook(ctx, tenant, plan.api())
	if err != nil {
		apiError(&resp.Diagnostics, "create webhook in tenant "+tenant, err)
		return
	}
	plan.set(tenant, w)
	plan.Secret = types.StringValue(w.Secret)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *webhookResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state webhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, id := state.Tenant.ValueString(), state.WebhookID.ValueString()
	w, err := r.client.Webhook(ctx, tenant, id)
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "read webhook "+id+" in tenant "+tenant, err)
		return
	}
	state.set(tenant, w)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *webhookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state webhookModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, id := state.Tenant.ValueString(), state.WebhookID.ValueString()
	w, err := r.client.UpdateWebhook(ctx, tenant, id, plan.api())
	if err != nil {
		apiError(&resp.Diagnostics, "update webhook "+id+" in tenant "+tenant, err)
		return
	}
	plan.set(tenant, w)
	plan.Secret = state.Secret
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *webhookResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state webhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, id := state.Tenant.ValueString(), state.WebhookID.ValueString()
	if err := r.client.DeleteWebhook(ctx, tenant, id); err != nil && !client.IsNotFound(err) {
		apiError(&resp.Diagnostics, "delete webhook "+id+" in tenant "+tenant, err)
	}
}

// ImportState takes TENANT/WEBHOOK_ID; the secret cannot be read back.
func (r *webhookResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	s := splitID(req.ID, 2, "TENANT/WEBHOOK_ID", &resp.Diagnostics)
	if s == nil {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tenant"), s[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("webhook_id"), s[1])...)
}
