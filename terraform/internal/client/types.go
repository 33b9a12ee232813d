package client

import "time"

// Tenant is the API's tenant JSON.
type Tenant struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	RetentionDays int64     `json:"retention_days"`
	TimeZone      string    `json:"time_zone"`
	CreatedAt     time.Time `json:"created_at"`
}

// User is the API's user JSON.
type User struct {
	Username  string    `json:"username"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Sensor is the API's sensor JSON.
type Sensor struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	UDPKeyID  string     `json:"udp_key_id"`
	Revoked   bool       `json:"revoked"`
	LastSeen  *time.Time `json:"last_seen"`
	CreatedAt time.Time  `json:"created_at"`
}

// SensorCredentials is shown once, at enrollment and rotation.
type SensorCredentials struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Token    string `json:"token"`
	UDPKeyID string `json:"udp_key_id"`
	UDPKey   string `json:"udp_key"`
}

// Webhook is the API's webhook JSON; Secret only at creation.
type Webhook struct {
	ID              string    `json:"id"`
	URL             string    `json:"url"`
	MinSeverity     string    `json:"min_severity"`
	ThrottleSeconds int64     `json:"throttle_seconds"`
	Enabled         bool      `json:"enabled"`
	CreatedAt       time.Time `json:"created_at"`
	Secret          string    `json:"secret,omitempty"`
}

// WebhookRequest creates or replaces a webhook.
type WebhookRequest struct {
	URL             string `json:"url"`
	MinSeverity     string `json:"min_severity"`
	ThrottleSeconds int64  `json:"throttle_seconds"`
	Enabled         bool   `json:"enabled"`
}

// Indicator is a custom trail ("trail", "info") or a whitelist entry
// ("entry", "comment"), in one shape.
type Indicator struct {
	Value string
	Note  string
}
