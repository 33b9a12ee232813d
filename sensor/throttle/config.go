package throttle

import (
	"errors"
	"fmt"
	"time"
)

// Throttle modes.
const (
	// ModeSummarize writes the first Burst events per key and window and
	// folds the rest into one summary event when the window closes.
	ModeSummarize = "summarize"
	// ModeLegacy is Maltrail's core/log.py throttle, quirks included: per
	// bucket of Window seconds (Maltrail: PROCESS_COUNT), an event whose
	// (src_ip, trail) or (dst_ip, trail) was already logged is discarded,
	// and the first event of a bucket is not remembered, so two pass.
	ModeLegacy = "legacy"
	// ModeOff writes every event.
	ModeOff = "off"
)

// Config tunes the stage. Start from DefaultConfig.
type Config struct {
	Mode   string        // ModeSummarize (also ""), ModeLegacy or ModeOff
	Burst  int           // events written per key and window before holding (summarize)
	Window time.Duration // packet-time window per key (summarize), bucket width (legacy, whole seconds)

	// MaxKeys bounds the throttle table and the condensing table each. A
	// new key beyond it evicts the least recently used throttle key or the
	// oldest condensing group, which is emitted at once, never dropped.
	MaxKeys int

	// CondenseKeywords: an event whose info contains one of them is held
	// under (sensor, src_ip, trail) for CondensePeriod and emitted as one
	// condensed event. None disables condensing.
	CondenseKeywords []string
	CondensePeriod   time.Duration
	// MaxCondensed bounds the distinct values kept per merged column of a
	// condensed or summary event (Maltrail: MAX_CONDENSED_EVENTS per key);
	// Count stays exact.
	MaxCondensed int
}

// DefaultConfig returns Maltrail's defaults with the Rust sensor's
// summarize mode.
func DefaultConfig() Config {
	return Config{
		Mode:    ModeSummarize,
		Burst:   3,
		Window:  60 * time.Second,
		MaxKeys: 50000,
		CondenseKeywords: []string{
			"attacker", "reputation", "scanner", "user agent", "tor exit", "port scanning", "potential infection",
		},
		CondensePeriod: 10 * time.Second,
		MaxCondensed:   1000,
	}
}

// Validate reports the first problem with c.
func (c Config) Validate() error {
	switch c.Mode {
	case "", ModeSummarize, ModeOff:
	case ModeLegacy:
		if c.Window < time.Second || c.Window%time.Second != 0 {
			return fmt.Errorf("legacy throttle window %v is not a whole number of seconds", c.Window)
		}
	default:
		return fmt.Errorf("unknown throttle mode %q (want %s, %s or %s)", c.Mode, ModeSummarize, ModeLegacy, ModeOff)
	}
	if c.Burst < 0 {
		return fmt.Errorf("throttle burst %d is negative", c.Burst)
	}
	if c.Mode != ModeOff && c.Window <= 0 {
		return fmt.Errorf("throttle window %v is not positive", c.Window)
	}
	if c.MaxKeys < 1 {
		return fmt.Errorf("throttle max keys %d is less than 1", c.MaxKeys)
	}
	if c.MaxCondensed < 1 {
		return fmt.Errorf("max condensed %d is less than 1", c.MaxCondensed)
	}
	for _, k := range c.CondenseKeywords {
		if k == "" {
			return errors.New("empty condense keyword (it would condense every event)")
		}
	}
	if len(c.CondenseKeywords) > 0 && c.CondensePeriod <= 0 {
		return fmt.Errorf("condense period %v is not positive", c.CondensePeriod)
	}
	return nil
}
