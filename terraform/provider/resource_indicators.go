package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

// indicatorsResource manages a tenant's whole custom trail list or
// whitelist as one map of value → note, so that entries added or removed
// outside Terraform show up in the plan.
type indicatorsResource struct {
	clientHolder
	list client.IndicatorList
	// typeSuffix, noteName and what describe the list.
	typeSuffix, noteName, what, plural string
	// noteRequired: the API gives custom trails a default info, which
	// would not match an empty note in the configuration.
	noteRequired bool
}

func newCustomTrailsResource() resource.Resource {
	return &indicatorsResource{list: client.CustomTrails, typeSuffix: "_custom_trails",
		noteName: "info", what: "custom trail", plural: "custom trails", noteRequired: true}
}

func newWhitelistResource() resource.Resource {
	return &indicatorsResource{list: client.Whitelist, typeSuffix: "_whitelist",
		noteName: "comment", what: "whitelist entry", plural: "whitelist entries"}
}

func (r *indicatorsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.typeSuffix
}

func (r *indicatorsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

func (r *indicatorsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	noteValidators := []validator.String{stringvalidator.LengthAtMost(128)}
	minNote := 0
	if r.noteRequired {
		minNote = 1
	}
	noteValidators = append(noteValidators, stringvalidator.LengthAtLeast(minNote),
		stringvalidator.RegexMatches(noteSyntax, "must be printable characters without commas"))
	resp.Schema = schema.Schema{
		Description: fmt.Sprintf("A tenant's whole list of %s: entries added outside Terraform show as drift and are removed on apply.", r.plural),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, Description: "The tenant ID (also the import ID).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"tenant": schema.StringAttribute{
				Required: true, Description: "Tenant ID.", Validators: tenantIDValidators(),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"entries": schema.MapAttribute{
				Required:    true,
				ElementType: types.StringType,
				Description: fmt.Sprintf("Map of %s (IP, address:port, network, domain or host/path, written as the collector stores it: lower case, no scheme, no trailing slash) → %s (at most 128 characters, no commas).", r.what, r.noteName),
				Validators: []validator.Map{
					mapvalidator.KeysAre(indicatorKeyValidator{}),
					mapvalidator.ValueStringsAre(noteValidators...),
				},
			},
		},
	}
}

type indicatorsModel struct {
	ID      types.String      `tfsdk:"id"`
	Tenant  types.String      `tfsdk:"tenant"`
	Entries map[string]string `tfsdk:"entries"`
}

// noteSyntax: printable, no commas (they would break the one-per-line
// import format).
var noteSyntax = regexp.MustCompile(`^[^\x00-\x1f\x7f,]*$`)

// indicatorKeyValidator catches at plan time the spellings the collector
// would store differently, which would otherwise fail only after apply.
type indicatorKeyValidator struct{}

func (indicatorKeyValidator) Description(context.Context) string {
	return "an indicator as the collector stores it: lower case, no scheme, no trailing slash, no spaces, commas, quotes or #"
}

func (v indicatorKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v indicatorKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := indicatorKeyProblem(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid indicator", fmt.Sprintf("%q: %s", req.ConfigValue.ValueString(), msg))
	}
}

// indicatorKeyProblem says why s is not in the collector's stored form,
// or "" if it may be (the collector has the last word).
func indicatorKeyProblem(s string) string {
	switch {
	case s == "":
		return "empty"
	case len(s) > 256:
		return "longer than 256 characters"
	case strings.Contains(s, "://"):
		return "write it without the scheme (the collector cuts it off)"
	case strings.HasSuffix(s, "/"):
		return "write it without the trailing slash"
	case strings.ToLower(s) != s:
		return "write it in lower case: " + strings.ToLower(s)
	case strings.HasPrefix(s, ".") || strings.HasSuffix(s, "."):
		return "write it without leading or trailing dots"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ',' || c == '"' || c == '\\' || c == '#' {
			return "must be printable ASCII without spaces, commas, quotes, backslashes or # (write IDNs as punycode)"
		}
	}
	return ""
}

func (r *indicatorsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan indicatorsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant := plan.Tenant.ValueString()
	have, err := r.client.Indicators(ctx, r.list, tenant)
	if err != nil {
		apiError(&resp.Diagnostics, "list "+r.plural+" of tenant "+tenant, err)
		return
	}
	if len(have) > 0 {
		resp.Diagnostics.AddError("Tenant already has "+r.plural,
			fmt.Sprintf("Tenant %s already has %d %s, which this resource would take over. Import them instead: tofu import <address> %s",
				tenant, len(have), r.plural, tenant))
		return
	}
	r.apply(ctx, tenant, nil, plan.Entries, &resp.State, &resp.Diagnostics)
}

func (r *indicatorsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state indicatorsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan.Tenant.ValueString(), state.Entries, plan.Entries, &resp.State, &resp.Diagnostics)
}

// apply moves the list from have (as last read) to want, then records what
// the collector holds, so that a partial failure leaves true state.
func (r *indicatorsResource) apply(ctx context.Context, tenant string, have, want map[string]string, st *tfsdk.State, diags *diag.Diagnostics) {
	var remove []string
	var add []client.Indicator
	for k := range have {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if note, ok := have[k]; !ok || note != want[k] {
			add = append(add, client.Indicator{Value: k, Note: want[k]})
		}
	}
	slices.Sort(remove)
	failed := false
	if len(remove) > 0 {
		if err := r.client.RemoveIndicators(ctx, r.list, tenant, remove); err != nil {
			apiError(diags, "remove "+r.plural+" from tenant "+tenant, err)
			failed = true
		}
	}
	if !failed && len(add) > 0 {
		stored, err := r.client.AddIndicators(ctx, r.list, tenant, add)
		if err != nil {
			apiError(diags, "add "+r.plural+" to tenant "+tenant, err)
		}
		for i, v := range stored {
			if i < len(add) && v.Value != add[i].Value {
				diags.AddAttributeError(path.Root("entries").AtMapKey(add[i].Value), "Indicator stored under another spelling",
					fmt.Sprintf("The collector stored %q as %q; write it that way in the configuration.", add[i].Value, v.Value))
			}
		}
	}
	got, err := r.client.Indicators(ctx, r.list, tenant)
	if err != nil {
		apiError(diags, "list "+r.plural+" of tenant "+tenant, err)
		return
	}
	m := indicatorsModel{ID: types.StringValue(tenant), Tenant: types.StringValue(tenant), Entries: toMap(got)}
	diags.Append(st.Set(ctx, m)...)
}

func toMap(list []client.Indicator) map[string]string {
	m := make(map[string]string, len(list))
	for _, v := range list {
		m[v.Value] = v.Note
	}
	return m
}

func (r *indicatorsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state indicatorsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant := state.Tenant.ValueString()
	got, err := r.client.Indicators(ctx, r.list, tenant)
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx) // the tenant is gone
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "list "+r.plural+" of tenant "+tenant, err)
		return
	}
	state.ID = types.StringValue(tenant)
	state.Entries = toMap(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *indicatorsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state indicatorsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant := state.Tenant.ValueString()
	got, err := r.client.Indicators(ctx, r.list, tenant)
	if client.IsNotFound(err) {
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "list "+r.plural+" of tenant "+tenant, err)
		return
	}
	// Remove what is there now: the API refuses to remove a missing entry.
	keys := make([]string, len(got))
	for i, v := range got {
		keys[i] = v.Value
	}
	if len(keys) > 0 {
		if err := r.client.RemoveIndicators(ctx, r.list, tenant, keys); err != nil && !client.IsNotFound(err) {
			apiError(&resp.Diagnostics, "remove "+r.plural+" from tenant "+tenant, err)
		}
	}
}

// ImportState takes the tenant ID.
func (r *indicatorsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tenant"), req.ID)...)
}
