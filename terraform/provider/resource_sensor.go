package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

type sensorResource struct{ clientHolder }

func newSensorResource() resource.Resource { return &sensorResource{} }

var (
	_ resource.ResourceWithModifyPlan  = (*sensorResource)(nil)
	_ resource.ResourceWithImportState = (*sensorResource)(nil)
)

type sensorModel struct {
	ID        types.String `tfsdk:"id"`
	Tenant    types.String `tfsdk:"tenant"`
	SensorID  types.String `tfsdk:"sensor_id"`
	Name      types.String `tfsdk:"name"`
	Revoked   types.Bool   `tfsdk:"revoked"`
	Rotation  types.String `tfsdk:"rotation"`
	Token     types.String `tfsdk:"token"`
	UDPKeyID  types.String `tfsdk:"udp_key_id"`
	UDPKey    types.String `tfsdk:"udp_key"`
	CreatedAt types.String `tfsdk:"created_at"`
}

// setCredentials stores credentials shown once by enrollment or rotation.
func (m *sensorModel) setCredentials(c client.SensorCredentials) {
	m.Token = types.StringValue(c.Token)
	m.UDPKeyID = types.StringValue(c.UDPKeyID)
	m.UDPKey = types.StringValue(c.UDPKey)
}

func (m *sensorModel) set(tenant string, s client.Sensor) {
	m.ID = types.StringValue(tenant + "/" + s.ID)
	m.Tenant = types.StringValue(tenant)
	m.SensorID = types.StringValue(s.ID)
	m.Name = types.StringValue(s.Name)
	m.Revoked = types.BoolValue(s.Revoked)
	m.UDPKeyID = types.StringValue(s.UDPKeyID)
	m.CreatedAt = timeValue(s.CreatedAt)
}

func (r *sensorResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sensor"
}

func (r *sensorResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

func (r *sensorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "An enrolled sensor and its credentials. The collector shows the token and UDP key only at enrollment and rotation, so they live in state (sensitive): keep state encrypted.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep, Description: "TENANT/SENSOR_ID (also the import ID).",
			},
			"tenant": schema.StringAttribute{
				Required: true, Description: "Tenant ID.", Validators: tenantIDValidators(),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"sensor_id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep, Description: "The collector's sensor ID.",
			},
			"name": schema.StringAttribute{
				Required: true, Description: "Display name (1 to 128 printable characters). The API cannot rename a sensor: changing it enrolls a new one.",
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 128)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"revoked": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "true revokes the sensor's credentials for good; going back to false enrolls a new sensor.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.BoolRequest, resp *boolplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = req.StateValue.ValueBool() && !req.PlanValue.ValueBool()
					}, "Un-revoking enrolls a new sensor.", "Un-revoking enrolls a new sensor.")},
			},
			"rotation": schema.StringAttribute{
				Optional:    true,
				Description: "Any value; changing it rotates the token and UDP key (the old ones stop working at once).",
			},
			"token": schema.StringAttribute{
				Computed: true, Sensitive: true, PlanModifiers: keep,
				Description: "Bearer token for HTTPS shipping (spoor sensor --token). Null after import: rotate to get one.",
			},
			"udp_key_id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep, Description: "UDP key ID (spoor sensor --udp-key-id).",
			},
			"udp_key": schema.StringAttribute{
				Computed: true, Sensitive: true, PlanModifiers: keep,
				Description: "UDP HMAC key (spoor sensor --udp-key). Null after import: rotate to get one.",
			},
			"created_at": schema.StringAttribute{
				Computed: true, PlanModifiers: keep, Description: "When the sensor was enrolled (RFC 3339).",
			},
		},
	}
}

// ModifyPlan marks the credentials unknown when rotation changes, so that
// the plan says they will change.
func (r *sensorResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state sensorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || plan.Rotation.Equal(state.Rotation) {
		return
	}
	if plan.Revoked.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("rotation"), "Cannot rotate a revoked sensor",
			"A revoked sensor has no credentials to rotate; set revoked = false to enroll a new sensor.")
		return
	}
	for _, a := range []string{"token", "udp_key_id", "udp_key"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(a), types.StringUnknown())...)
	}
}

func (r *sensorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan sensorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, name := plan.Tenant.ValueString(), plan.Name.ValueString()
	creds, err := r.client.EnrollSensor(ctx, tenant, name)
	if err != nil {
		apiError(&resp.Diagnostics, "enroll sensor "+name+" in tenant "+tenant, err)
		return
	}
	s := client.Sensor{ID: creds.ID, Name: creds.Name, UDPKeyID: creds.UDPKeyID}
	if got, err := r.client.Sensor(ctx, tenant, creds.ID); err == nil {
		s = got
	}
	plan.set(tenant, s)
	plan.setCredentials(creds)
	if plan.Revoked.IsNull() || !plan.Revoked.ValueBool() {
		plan.Revoked = types.BoolValue(false)
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	// Enrolled revoked (odd, but declared): keep it in state either way.
	if _, err := r.client.RevokeSensor(ctx, tenant, creds.ID); err != nil {
		apiError(&resp.Diagnostics, "revoke sensor "+creds.ID, err)
		plan.Revoked = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *sensorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state sensorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, id := state.Tenant.ValueString(), state.SensorID.ValueString()
	s, err := r.client.Sensor(ctx, tenant, id)
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "read sensor "+id+" in tenant "+tenant, err)
		return
	}
	if s.UDPKeyID != state.UDPKeyID.ValueString() && !state.UDPKeyID.IsNull() {
		// Rotated outside Terraform: the credentials in state are dead.
		state.Token, state.UDPKey = types.StringNull(), types.StringNull()
	}
	state.set(tenant, s)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *sensorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state sensorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, id := state.Tenant.ValueString(), state.SensorID.ValueString()
	next := state
	next.Rotation = plan.Rotation
	if !plan.Rotation.Equal(state.Rotation) {
		creds, err := r.client.RotateSensor(ctx, tenant, id)
		if err != nil {
			apiError(&resp.Diagnostics, "rotate sensor "+id+" in tenant "+tenant, err)
			return
		}
		next.setCredentials(creds)
	}
	if plan.Revoked.ValueBool() && !state.Revoked.ValueBool() {
		s, err := r.client.RevokeSensor(ctx, tenant, id)
		if err != nil {
			apiError(&resp.Diagnostics, "revoke sensor "+id+" in tenant "+tenant, err)
			resp.Diagnostics.Append(resp.State.Set(ctx, next)...) // a rotation above still happened
			return
		}
		next.Revoked = types.BoolValue(s.Revoked)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, next)...)
}

func (r *sensorResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state sensorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, id := state.Tenant.ValueString(), state.SensorID.ValueString()
	if err := r.client.DeleteSensor(ctx, tenant, id); err != nil && !client.IsNotFound(err) {
		apiError(&resp.Diagnostics, "delete sensor "+id+" in tenant "+tenant, err)
	}
}

// ImportState takes TENANT/SENSOR_ID. The token and UDP key cannot be
// read back; they stay null until the next rotation.
func (r *sensorResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	s := splitID(req.ID, 2, "TENANT/SENSOR_ID", &resp.Diagnostics)
	if s == nil {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tenant"), s[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("sensor_id"), s[1])...)
}
