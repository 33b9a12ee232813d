package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

// tenantIDPattern is the API's tenant ID syntax.
var tenantIDPattern = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

func tenantIDValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(tenantIDPattern, "must be 1 to 64 characters of a-z 0-9 - _")}
}

type tenantResource struct{ clientHolder }

func newTenantResource() resource.Resource { return &tenantResource{} }

type tenantModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	RetentionDays types.Int64  `tfsdk:"retention_days"`
	TimeZone      types.String `tfsdk:"time_zone"`
	CreatedAt     types.String `tfsdk:"created_at"`
}

func (m *tenantModel) set(t client.Tenant) {
	m.ID = types.StringValue(t.ID)
	m.Name = types.StringValue(t.Name)
	m.RetentionDays = types.Int64Value(t.RetentionDays)
	m.TimeZone = types.StringValue(t.TimeZone)
	m.CreatedAt = timeValue(t.CreatedAt)
}

func (m tenantModel) api() client.Tenant {
	return client.Tenant{ID: m.ID.ValueString(), Name: m.Name.ValueString(),
		RetentionDays: m.RetentionDays.ValueInt64(), TimeZone: m.TimeZone.ValueString()}
}

func (r *tenantResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant"
}

func (r *tenantResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

func (r *tenantResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A customer of the MSSP. Deleting it deletes its users, sensors, lists, webhooks and events.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Required:      true,
				Description:   "Tenant ID: 1 to 64 characters of a-z 0-9 - _. Changing it replaces the tenant.",
				Validators:    tenantIDValidators(),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				Required:    true,
				Description: "Display name (1 to 128 printable characters).",
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 128)},
			},
			"retention_days": schema.Int64Attribute{
				Optional: true, Computed: true,
				Default:     int64default.StaticInt64(90),
				Description: "Days events are kept (1 to 3650, default 90).",
				Validators:  []validator.Int64{int64validator.Between(1, 3650)},
			},
			"time_zone": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:     stringdefault.StaticString("UTC"),
				Description: "IANA time zone whose midnights bound the tenant's days (default UTC).",
			},
			"created_at": schema.StringAttribute{
				Computed:      true,
				Description:   "When the tenant was created (RFC 3339).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *tenantResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan tenantModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, err := r.client.CreateTenant(ctx, plan.api())
	if err != nil {
		apiError(&resp.Diagnostics, "create tenant "+plan.ID.ValueString(), err)
		if client.IsConflict(err) {
			resp.Diagnostics.AddAttributeWarning(path.Root("id"), "Tenant exists",
				"To manage the existing tenant, import it: tofu import <address> "+plan.ID.ValueString())
		}
		return
	}
	plan.set(t)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *tenantResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state tenantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, err := r.client.Tenant(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: plan re-creates it
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "read tenant "+state.ID.ValueString(), err)
		return
	}
	state.set(t)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *tenantResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan tenantModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, err := r.client.UpdateTenant(ctx, plan.api())
	if err != nil {
		apiError(&resp.Diagnostics, "update tenant "+plan.ID.ValueString(), err)
		return
	}
	plan.set(t)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *tenantResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state tenantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.client.DeleteTenant(ctx, state.ID.ValueString()); err != nil && !client.IsNotFound(err) {
		apiError(&resp.Diagnostics, "delete tenant "+state.ID.ValueString(), err)
	}
}

func (r *tenantResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
