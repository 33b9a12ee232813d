package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Tenant returns tenant id.
func (c *Client) Tenant(ctx context.Context, id string) (Tenant, error) {
	var t Tenant
	err := c.Do(ctx, http.MethodGet, "/tenants/"+Seg(id), nil, &t)
	return t, err
}

// CreateTenant creates a tenant. A collector too old to take the time zone
// at creation gets it with a PUT.
func (c *Client) CreateTenant(ctx context.Context, t Tenant) (Tenant, error) {
	var out Tenant
	in := map[string]any{"id": t.ID, "name": t.Name, "retention_days": t.RetentionDays, "time_zone": t.TimeZone}
	if err := c.Do(ctx, http.MethodPost, "/tenants", in, &out); err != nil {
		return out, err
	}
	if t.TimeZone != "" && t.TimeZone != out.TimeZone {
		return c.UpdateTenant(ctx, t)
	}
	return out, nil
}

// UpdateTenant replaces a tenant's name, retention and time zone.
func (c *Client) UpdateTenant(ctx context.Context, t Tenant) (Tenant, error) {
	var out Tenant
	in := map[string]any{"name": t.Name, "retention_days": t.RetentionDays, "time_zone": t.TimeZone}
	err := c.Do(ctx, http.MethodPut, "/tenants/"+Seg(t.ID), in, &out)
	return out, err
}

// DeleteTenant deletes a tenant and everything it holds.
func (c *Client) DeleteTenant(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodDelete, "/tenants/"+Seg(id), nil, nil)
}

// User returns one user; the API has no single-user GET, so it is looked
// up in the tenant's list.
func (c *Client) User(ctx context.Context, tenant, name string) (User, error) {
	var out struct {
		Users []User `json:"users"`
	}
	path := "/tenants/" + Seg(tenant) + "/users"
	if err := c.Do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return User{}, err
	}
	for _, u := range out.Users {
		if u.Username == name {
			return u, nil
		}
	}
	return User{}, &Error{Method: http.MethodGet, Path: path + "/" + Seg(name), Status: http.StatusNotFound, Message: "user not found"}
}

// CreateUser creates a user with a password and role.
func (c *Client) CreateUser(ctx context.Context, tenant, name, password, role string) (User, error) {
	var out User
	in := map[string]string{"username": name, "password": password, "role": role}
	err := c.Do(ctx, http.MethodPost, "/tenants/"+Seg(tenant)+"/users", in, &out)
	return out, err
}

// UserChange is a partial update of a user; nil fields stay as they are.
type UserChange struct {
	Password *string `json:"password,omitempty"`
	Role     *string `json:"role,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
}

// UpdateUser changes a user's password, role or disabled flag.
func (c *Client) UpdateUser(ctx context.Context, tenant, name string, ch UserChange) (User, error) {
	var out User
	err := c.Do(ctx, http.MethodPut, "/tenants/"+Seg(tenant)+"/users/"+Seg(name), ch, &out)
	return out, err
}

// DeleteUser deletes a user.
func (c *Client) DeleteUser(ctx context.Context, tenant, name string) error {
	return c.Do(ctx, http.MethodDelete, "/tenants/"+Seg(tenant)+"/users/"+Seg(name), nil, nil)
}

// Sensors lists a tenant's sensors.
func (c *Client) Sensors(ctx context.Context, tenant string) ([]Sensor, error) {
	var out struct {
		Sensors []Sensor `json:"sensors"`
	}
	err := c.Do(ctx, http.MethodGet, "/tenants/"+Seg(tenant)+"/sensors", nil, &out)
	return out.Sensors, err
}

// Sensor returns one sensor.
func (c *Client) Sensor(ctx context.Context, tenant, id string) (Sensor, error) {
	var out Sensor
	err := c.Do(ctx, http.MethodGet, "/tenants/"+Seg(tenant)+"/sensors/"+Seg(id), nil, &out)
	return out, err
}

// EnrollSensor creates a sensor and returns its credentials (shown once).
func (c *Client) EnrollSensor(ctx context.Context, tenant, name string) (SensorCredentials, error) {
	var out SensorCredentials
	err := c.Do(ctx, http.MethodPost, "/tenants/"+Seg(tenant)+"/sensors", map[string]string{"name": name}, &out)
	return out, err
}

// RotateSensor replaces a sensor's credentials.
func (c *Client) RotateSensor(ctx context.Context, tenant, id string) (SensorCredentials, error) {
	var out SensorCredentials
	err := c.Do(ctx, http.MethodPost, "/tenants/"+Seg(tenant)+"/sensors/"+Seg(id)+"/rotate", nil, &out)
	return out, err
}

// RevokeSensor stops a sensor's credentials for good.
func (c *Client) RevokeSensor(ctx context.Context, tenant, id string) (Sensor, error) {
	var out Sensor
	err := c.Do(ctx, http.MethodPost, "/tenants/"+Seg(tenant)+"/sensors/"+Seg(id)+"/revoke", nil, &out)
	return out, err
}

// DeleteSensor deletes a sensor.
func (c *Client) DeleteSensor(ctx context.Context, tenant, id string) error {
	return c.Do(ctx, http.MethodDelete, "/tenants/"+Seg(tenant)+"/sensors/"+Seg(id), nil, nil)
}

// Webhook returns one webhook (without its secret).
func (c *Client) Webhook(ctx context.Context, tenant, id string) (Webhook, error) {
	var out Webhook
	err := c.Do(ctx, http.MethodGet, "/tenants/"+Seg(tenant)+"/webhooks/"+Seg(id), nil, &out)
	return out, err
}

// CreateWebhook creates a webhook; the answer carries its signing secret.
func (c *Client) CreateWebhook(ctx context.Context, tenant string, w WebhookRequest) (Webhook, error) {
	var out Webhook
	err := c.Do(ctx, http.MethodPost, "/tenants/"+Seg(tenant)+"/webhooks", w, &out)
	return out, err
}

// UpdateWebhook replaces a webhook's settings; the secret stays.
func (c *Client) UpdateWebhook(ctx context.Context, tenant, id string, w WebhookRequest) (Webhook, error) {
	var out Webhook
	err := c.Do(ctx, http.MethodPut, "/tenants/"+Seg(tenant)+"/webhooks/"+Seg(id), w, &out)
	return out, err
}

// DeleteWebhook deletes a webhook.
func (c *Client) DeleteWebhook(ctx context.Context, tenant, id string) error {
	return c.Do(ctx, http.MethodDelete, "/tenants/"+Seg(tenant)+"/webhooks/"+Seg(id), nil, nil)
}

// IndicatorList names one of a tenant's two indicator lists.
type IndicatorList struct {
	path, field, noun, note string
}

// The two indicator lists.
var (
	CustomTrails = IndicatorList{path: "trails", field: "trails", noun: "trail", note: "info"}
	Whitelist    = IndicatorList{path: "whitelist", field: "whitelist", noun: "entry", note: "comment"}
)

// Noun is what one entry is called ("trail", "entry").
func (l IndicatorList) Noun() string { return l.noun }

func (l IndicatorList) decode(raw map[string]json.RawMessage) ([]Indicator, error) {
	var items []map[string]any
	if err := json.Unmarshal(raw[l.field], &items); err != nil {
		return nil, fmt.Errorf("cannot decode %s: %w", l.field, err)
	}
	out := make([]Indicator, len(items))
	for i, m := range items {
		v, _ := m[l.noun].(string)
		n, _ := m[l.note].(string)
		out[i] = Indicator{Value: v, Note: n}
	}
	return out, nil
}

// Indicators lists a tenant's custom trails or whitelist.
func (c *Client) Indicators(ctx context.Context, l IndicatorList, tenant string) ([]Indicator, error) {
	var raw map[string]json.RawMessage
	if err := c.Do(ctx, http.MethodGet, "/tenants/"+Seg(tenant)+"/"+l.path, nil, &raw); err != nil {
		return nil, err
	}
	return l.decode(raw)
}

// AddIndicators adds (or replaces the note of) entries and returns them as
// the server stored them: normalised, in the order given.
func (c *Client) AddIndicators(ctx context.Context, l IndicatorList, tenant string, items []Indicator) ([]Indicator, error) {
	var stored []Indicator
	for chunk := range slices.Chunk(items, maxIndicatorsPerRequest) {
		in := make([]map[string]string, len(chunk))
		for i, v := range chunk {
			in[i] = map[string]string{l.noun: v.Value, l.note: v.Note}
		}
		var raw map[string]json.RawMessage
		if err := c.Do(ctx, http.MethodPost, "/tenants/"+Seg(tenant)+"/"+l.path, in, &raw); err != nil {
			return stored, err
		}
		got, err := l.decode(raw)
		stored = append(stored, got...)
		if err != nil {
			return stored, err
		}
	}
	return stored, nil
}

// RemoveIndicators removes entries, all of which must exist.
func (c *Client) RemoveIndicators(ctx context.Context, l IndicatorList, tenant string, values []string) error {
	for chunk := range slices.Chunk(values, maxIndicatorsPerRequest) {
		q := url.Values{l.noun: chunk}
		if err := c.Do(ctx, http.MethodDelete, "/tenants/"+Seg(tenant)+"/"+l.path+"?"+q.Encode(), nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// maxIndicatorsPerRequest is the API's bound on entries per POST or DELETE.
const maxIndicatorsPerRequest = 1000
