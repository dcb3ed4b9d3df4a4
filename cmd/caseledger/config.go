package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is every setting of the program. Each one is a flag, an
// environment variable and a key of the JSON config file.
type Config struct {
	Addr            string
	Data            string
	LogFormat       string
	LogLevel        string
	KeyFile         string
	Server          string
	ShutdownTimeout time.Duration
	RequestTimeout  time.Duration
	// Store is empty for the embedded store in <data>/store, or an
	// EventStoreDB connection string (esdb://, esdb+discover://).
	Store         string
	ESDBListen    string
	ESDBTLSCert   string
	ESDBTLSKey    string
	ESDBWriters   string
	ESDBAnonymous string
	WatchInterval time.Duration
}

// setting describes one configurable value.
type setting struct {
	name, help string
	def        string
	// set parses a value into the config; get formats it back.
	set func(*Config, string) error
}

func str(f func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = v; return nil }
}

func dur(f func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 10s", v)
		}
		*f(c) = d
		return nil
	}
}

// durOrZero is dur that also takes 0, which turns the setting off.
func durOrZero(f func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration such as 1m (0 turns it off)", v)
		}
		*f(c) = d
		return nil
	}
}

var settings = map[string]setting{
	"addr": {name: "addr", def: "127.0.0.1:8080", help: "address the HTTP API listens on (port 0 picks a free one)",
		set: str(func(c *Config) *string { return &c.Addr })},
	"data": {name: "data", def: "./caseledger-data", help: "data directory: the embedded store in <data>/store, the read models in <data>/projections, the token signing key in <data>/token-ed25519.pem",
		set: str(func(c *Config) *string { return &c.Data })},
	"log-format": {name: "log-format", def: "text", help: "log format: text or json",
		set: str(func(c *Config) *string { return &c.LogFormat })},
	"log-level": {name: "log-level", def: "info", help: "log level: debug, info, warn or error",
		set: str(func(c *Config) *string { return &c.LogLevel })},
	"key-file": {name: "key-file", def: "", help: "PEM (PKCS #8) Ed25519 private key that signs and verifies tokens; empty means <data>/token-ed25519.pem, generated on first serve",
		set: str(func(c *Config) *string { return &c.KeyFile })},
	"server": {name: "server", def: "", help: "base URL of a running server (http://127.0.0.1:8080) to go through its admin routes",
		set: str(func(c *Config) *string { return &c.Server })},
	"shutdown-timeout": {name: "shutdown-timeout", def: "15s", help: "how long a stopping server waits for requests in flight",
		set: dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	"store": {name: "store", def: "", help: "the event store: empty for the embedded store in <data>/store, or an EventStoreDB/KurrentDB connection string (esdb://host:2113?tls=true, esdb+discover://...); read models and the token key stay in --data",
		set: func(c *Config, v string) error {
			c.Store = v
			if v != "" && !c.esdbStore() {
				// The value may hold a password: it is not echoed.
				return errors.New("must be empty (the embedded store) or start with esdb:// or esdb+discover://")
			}
			return nil
		}},
	"esdb-listen": {name: "esdb-listen", def: "", help: "also serve the EventStoreDB gRPC protocol over the embedded store on this address (empty: off); without --esdb-tls-cert only a loopback address is allowed",
		set: str(func(c *Config) *string { return &c.ESDBListen })},
	"esdb-tls-cert": {name: "esdb-tls-cert", def: "", help: "PEM certificate (chain) of the --esdb-listen endpoint; with --esdb-tls-key it serves TLS",
		set: str(func(c *Config) *string { return &c.ESDBTLSCert })},
	"esdb-tls-key": {name: "esdb-tls-key", def: "", help: "PEM private key of --esdb-tls-cert",
		set: str(func(c *Config) *string { return &c.ESDBTLSKey })},
	"esdb-writers": {name: "esdb-writers", def: "caseledger-service", help: "comma-separated token subjects that may append through --esdb-listen, with role admin; supervisors and other admins only read. Official clients present a token as the password of its subject: esdb://caseledger-service:<token>@host:port?tls=true&tlsCAFile=ca.pem",
		set: str(func(c *Config) *string { return &c.ESDBWriters })},
	"esdb-anonymous": {name: "esdb-anonymous", def: "none", help: "access of --esdb-listen callers without credentials: none, read or append; only allowed on a plain-text loopback endpoint, where official clients cannot send credentials",
		set: str(func(c *Config) *string { return &c.ESDBAnonymous })},
	"watch-interval": {name: "watch-interval", def: "1m", help: "how often serve's deadline watcher raises the warnings that came due (0 turns it off)",
		set: durOrZero(func(c *Config) *time.Duration { return &c.WatchInterval })},
	"request-timeout": {name: "request-timeout", def: "10s", help: "deadline of each API request",
		set: dur(func(c *Config) *time.Duration { return &c.RequestTimeout })},
}

// envName is the environment variable of a setting: CASELEDGER_LOG_FORMAT.
func envName(name string) string {
	return "CASELEDGER_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// parseConfig parses a command's flags: the named settings plus the
// command's own flags (declared on fs by the caller). The result applies, by
// rising precedence: defaults, the config file, the environment, flags.
func (m *Main) parseConfig(fs *flag.FlagSet, args []string, names ...string) error {
	fs.SetOutput(m.Stderr)
	values := map[string]*string{}
	for _, n := range names {
		s := settings[n]
		values[n] = fs.String(n, s.def, s.help+" (env "+envName(n)+")")
	}
	configFile := fs.String("config", "", "JSON file of settings, keyed by flag name (env CASELEDGER_CONFIG)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return m.usageError("%s: unexpected arguments %q", fs.Name(), fs.Args())
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })

	file := map[string]string{}
	path := *configFile
	if path == "" {
		path = m.Getenv("CASELEDGER_CONFIG")
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		if err := json.Unmarshal(b, &file); err != nil {
			return fmt.Errorf("config file %s: must be a JSON object of strings: %w", path, err)
		}
		for k := range file {
			if _, ok := settings[k]; !ok {
				return fmt.Errorf("config file %s: unknown setting %q", path, k)
			}
		}
	}
	for _, n := range names {
		v := settings[n].def
		if fv, ok := file[n]; ok {
			v = fv
		}
		if ev := m.Getenv(envName(n)); ev != "" {
			v = ev
		}
		if explicit[n] {
			v = *values[n]
		}
		if err := settings[n].set(&m.cfg, v); err != nil {
			return fmt.Errorf("setting %s: %w", n, err)
		}
	}
	return m.setupLogger()
}

func (m *Main) setupLogger() error {
	var level slog.Level
	if m.cfg.LogLevel == "" {
		m.cfg.LogLevel = "info"
	}
	if err := level.UnmarshalText([]byte(m.cfg.LogLevel)); err != nil {
		return fmt.Errorf("setting log-level: %q is not debug, info, warn or error", m.cfg.LogLevel)
	}
	// Maintenance commands print their results on stdout; the store's
	// routine lines (pebble's WAL replay) would drown them, so their store
	// logs warnings only unless debug was asked for.
	storeLevel := max(level, slog.LevelWarn)
	if level <= slog.LevelDebug {
		storeLevel = level
	}
	var w io.Writer = m.Stderr
	newLogger := func(l slog.Level) (*slog.Logger, error) {
		opts := &slog.HandlerOptions{Level: l}
		switch m.cfg.LogFormat {
		case "", "text":
			return slog.New(slog.NewTextHandler(w, opts)), nil
		case "json":
			return slog.New(slog.NewJSONHandler(w, opts)), nil
		}
		return nil, fmt.Errorf("setting log-format: %q is not text or json", m.cfg.LogFormat)
	}
	var err error
	if m.log, err = newLogger(level); err != nil {
		return err
	}
	m.quietLog, err = newLogger(storeLevel)
	return err
}

// esdbStore reports whether the store is an EventStoreDB connection string.
func (c *Config) esdbStore() bool {
	return strings.HasPrefix(c.Store, "esdb://") || strings.HasPrefix(c.Store, "esdb+discover://")
}

// storeDir is where the embedded store lives inside the data directory.
func (c *Config) storeDir() string { return filepath.Join(c.Data, "store") }

// keyFile is the token signing key's file.
func (c *Config) keyFile() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	return filepath.Join(c.Data, "token-ed25519.pem")
}
