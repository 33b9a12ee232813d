package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// newViper returns a viper that reads SPOOR_* environment variables (dots
// in keys become underscores: sensor.log_dir is SPOOR_SENSOR_LOG_DIR), the
// YAML file named by --config, and the flags, in rising precedence.
func newViper(fs *pflag.FlagSet, keys map[string]string) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("SPOOR")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	for key, flag := range keys {
		if err := v.BindPFlag(key, fs.Lookup(flag)); err != nil {
			return nil, fmt.Errorf("cannot bind flag --%s: %w", flag, err)
		}
	}
	if path, _ := fs.GetString("config"); path != "" {
		v.SetConfigFile(path)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("cannot read configuration %s: %w", path, err)
		}
	}
	return v, nil
}

// splitList turns a configured list (YAML list, or comma-separated text
// from a flag or environment variable) into its items.
func splitList(items []string) []string {
	var out []string
	for _, it := range items {
		for _, s := range strings.Split(it, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
