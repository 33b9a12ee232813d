package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

// roles are the API's roles, highest first.
var roles = []string{"mssp-admin", "tenant-admin", "analyst", "viewer"}

// usernamePattern is the API's user name syntax.
var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

type userResource struct{ clientHolder }

func newUserResource() resource.Resource { return &userResource{} }

type userModel struct {
	ID              types.String `tfsdk:"id"`
	Tenant          types.String `tfsdk:"tenant"`
	Username        types.String `tfsdk:"username"`
	Role            types.String `tfsdk:"role"`
	Disabled        types.Bool   `tfsdk:"disabled"`
	Password        types.String `tfsdk:"password"`
	PasswordVersion types.String `tfsdk:"password_version"`
	CreatedAt       types.String `tfsdk:"created_at"`
}

func (m *userModel) set(tenant string, u client.User) {
	m.ID = types.StringValue(tenant + "/" + u.Username)
	m.Tenant = types.StringValue(tenant)
	m.Username = types.StringValue(u.Username)
	m.Role = types.StringValue(u.Role)
	m.Disabled = types.BoolValue(u.Disabled)
	m.Password = types.StringNull() // write-only: never in state
	if !u.CreatedAt.IsZero() {
		m.CreatedAt = timeValue(u.CreatedAt)
	}
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

func (r *userResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		Description: "A user of a tenant's dashboard and API. The password is write-only: it is sent to the collector and never stored in state; change password_version to set a new one.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "TENANT/USERNAME (also the import ID).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"tenant": schema.StringAttribute{
				Required: true, Description: "Tenant ID.", Validators: tenantIDValidators(), PlanModifiers: replace,
			},
			"username": schema.StringAttribute{
				Required: true, PlanModifiers: replace,
				Description: "Login name: 1 to 64 characters of A-Z a-z 0-9 . _ @ -.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 64),
					stringvalidator.RegexMatches(usernamePattern, "must be 1 to 64 characters of A-Z a-z 0-9 . _ @ -")},
			},
			"role": schema.StringAttribute{
				Required:    true,
				Description: "mssp-admin (operator tenant only), tenant-admin, analyst or viewer.",
				Validators:  []validator.String{stringvalidator.OneOf(roles...)},
			},
			"disabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "A disabled user cannot log in.",
			},
			"password": schema.StringAttribute{
				Required: true, WriteOnly: true, Sensitive: true,
				Description: "Password, write-only (needs OpenTofu 1.11 or Terraform 1.11). Sent at creation and whenever password_version changes.",
			},
			"password_version": schema.StringAttribute{
				Optional:    true,
				Description: "Any value; changing it sends password again (the collector cannot tell Terraform whether it changed).",
			},
			"created_at": schema.StringAttribute{
				Computed: true, Description: "When the user was created (RFC 3339).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, name := plan.Tenant.ValueString(), plan.Username.ValueString()
	u, err := r.client.CreateUser(ctx, tenant, name, config.Password.ValueString(), plan.Role.ValueString())
	if err != nil {
		apiError(&resp.Diagnostics, "create user "+name+" in tenant "+tenant, err)
		return
	}
	if plan.Disabled.ValueBool() {
		disabled := true
		if u, err = r.client.UpdateUser(ctx, tenant, name, client.UserChange{Disabled: &disabled}); err != nil {
			// The user exists now: keep it in state so that the next apply
			// fixes the flag instead of failing on a duplicate.
			plan.set(tenant, client.User{Username: name, Role: plan.Role.ValueString()})
			resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
			apiError(&resp.Diagnostics, "disable user "+name+" in tenant "+tenant, err)
			return
		}
	}
	// Creation answers without created_at: read it back.
	if got, err := r.client.User(ctx, tenant, name); err == nil {
		u = got
	}
	plan.set(tenant, u)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, name := state.Tenant.ValueString(), state.Username.ValueString()
	u, err := r.client.User(ctx, tenant, name)
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "read user "+name+" in tenant "+tenant, err)
		return
	}
	state.set(tenant, u)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ch client.UserChange
	if !plan.Role.Equal(state.Role) {
		role := plan.Role.ValueString()
		ch.Role = &role
	}
	if !plan.Disabled.Equal(state.Disabled) {
		disabled := plan.Disabled.ValueBool()
		ch.Disabled = &disabled
	}
	if !plan.PasswordVersion.Equal(state.PasswordVersion) {
		pw := config.Password.ValueString()
		ch.Password = &pw
	}
	tenant, name := plan.Tenant.ValueString(), plan.Username.ValueString()
	u := client.User{Username: name, Role: state.Role.ValueString(), Disabled: state.Disabled.ValueBool()}
	if ch != (client.UserChange{}) {
		var err error
		if u, err = r.client.UpdateUser(ctx, tenant, name, ch); err != nil {
			apiError(&resp.Diagnostics, "update user "+name+" in tenant "+tenant, err)
			return
		}
	}
	plan.set(tenant, u)
	plan.CreatedAt = state.CreatedAt
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, name := state.Tenant.ValueString(), state.Username.ValueString()
	if err := r.client.DeleteUser(ctx, tenant, name); err != nil && !client.IsNotFound(err) {
		apiError(&resp.Diagnostics, "delete user "+name+" in tenant "+tenant, err)
	}
}

// ImportState takes TENANT/USERNAME. The password is not imported (the
// collector keeps only its hash): the configuration supplies it, and it is
// sent again only when password_version changes.
func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	s := splitID(req.ID, 2, "TENANT/USERNAME", &resp.Diagnostics)
	if s == nil {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tenant"), s[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("username"), s[1])...)
}
