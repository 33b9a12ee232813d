package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type tenantDataSource struct{ clientHolder }

func newTenantDataSource() datasource.DataSource { return &tenantDataSource{} }

func (d *tenantDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant"
}

func (d *tenantDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

func (d *tenantDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Reads an existing tenant.",
		Attributes: map[string]schema.Attribute{
			"id":             schema.StringAttribute{Required: true, Description: "Tenant ID.", Validators: tenantIDValidators()},
			"name":           schema.StringAttribute{Computed: true, Description: "Display name."},
			"retention_days": schema.Int64Attribute{Computed: true, Description: "Days events are kept."},
			"time_zone":      schema.StringAttribute{Computed: true, Description: "IANA time zone of the tenant's days."},
			"created_at":     schema.StringAttribute{Computed: true, Description: "When the tenant was created (RFC 3339)."},
		},
	}
}

func (d *tenantDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m tenantModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, err := d.client.Tenant(ctx, m.ID.ValueString())
	if err != nil {
		apiError(&resp.Diagnostics, "read tenant "+m.ID.ValueString(), err)
		return
	}
	m.set(t)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

type sensorsDataSource struct{ clientHolder }

func newSensorsDataSource() datasource.DataSource { return &sensorsDataSource{} }

type sensorsModel struct {
	Tenant  types.String      `tfsdk:"tenant"`
	Sensors []sensorInfoModel `tfsdk:"sensors"`
}

type sensorInfoModel struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	UDPKeyID  types.String `tfsdk:"udp_key_id"`
	Revoked   types.Bool   `tfsdk:"revoked"`
	LastSeen  types.String `tfsdk:"last_seen"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (d *sensorsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sensors"
}

func (d *sensorsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

func (d *sensorsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Lists a tenant's sensors (without credentials).",
		Attributes: map[string]schema.Attribute{
			"tenant": schema.StringAttribute{Required: true, Description: "Tenant ID.", Validators: tenantIDValidators()},
			"sensors": schema.ListNestedAttribute{
				Computed: true, Description: "The sensors, in the collector's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":         schema.StringAttribute{Computed: true, Description: "Sensor ID."},
					"name":       schema.StringAttribute{Computed: true, Description: "Display name."},
					"udp_key_id": schema.StringAttribute{Computed: true, Description: "Current UDP key ID."},
					"revoked":    schema.BoolAttribute{Computed: true, Description: "Whether its credentials are revoked."},
					"last_seen":  schema.StringAttribute{Computed: true, Description: "Last batch received (RFC 3339), null if never."},
					"created_at": schema.StringAttribute{Computed: true, Description: "When it was enrolled (RFC 3339)."},
				}},
			},
		},
	}
}

func (d *sensorsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m sensorsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.client.Sensors(ctx, m.Tenant.ValueString())
	if err != nil {
		apiError(&resp.Diagnostics, "list sensors of tenant "+m.Tenant.ValueString(), err)
		return
	}
	m.Sensors = make([]sensorInfoModel, len(list))
	for i, s := range list {
		v := sensorInfoModel{ID: types.StringValue(s.ID), Name: types.StringValue(s.Name), UDPKeyID: types.StringValue(s.UDPKeyID),
			Revoked: types.BoolValue(s.Revoked), LastSeen: types.StringNull(), CreatedAt: timeValue(s.CreatedAt)}
		if s.LastSeen != nil {
			v.LastSeen = timeValue(*s.LastSeen)
		}
		m.Sensors[i] = v
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
