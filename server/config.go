package server

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"stoa/storage"
)

// Config is everything the server is started with; it is passed down, never global.
type Config struct {
	Addr    string
	DataDir string
	// DatabaseURL is a postgres:// URL for the cluster shape; empty: SQLite in DataDir.
	DatabaseURL string
	// NATSURL makes this node a member of a cluster (nats://…); empty: a single node.
	NATSURL string
	// NodeName names this node in logs, metrics and /healthz (default: its host:port).
	NodeName       string
	BaseURL        string
	SMTPURL        string
	SMTPFrom       string
	LogFormat      string
	TLSCert        string
	TLSKey         string
	ACMEDomain     string
	HTTPAddr       string
	MetricsAddr    string
	RequireEmail   bool
	AllowedOrigins []string
	// TrustProxy reads the client address from X-Forwarded-For (behind nginx).
	TrustProxy bool
	// NoRateLimits turns every rate limit off; only for load tests on a private machine.
	NoRateLimits bool
	// Quiet turns request logging off (tests).
	Quiet bool
}

// DBPath is where the SQLite database file lives.
func (c *Config) DBPath() string { return c.DataDir + "/stoa.db" }

// Database is what storage.Open opens: the PostgreSQL URL when one is set, else the
// SQLite file in the data folder.
func (c *Config) Database() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return c.DBPath()
}

// Clustered reports whether this node shares its database with other nodes over NATS.
func (c *Config) Clustered() bool { return c.NATSURL != "" }

// Secure reports whether the site is served over HTTPS, so cookies get the Secure flag.
func (c *Config) Secure() bool {
	return c.TLSCert != "" || c.ACMEDomain != "" || strings.HasPrefix(c.BaseURL, "https://")
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// bindServeFlags declares serve's flags on fs; each falls back to its STOA_* variable.
func bindServeFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Addr, "addr", envOr("STOA_ADDR", "127.0.0.1:8080"), "address to listen on (env STOA_ADDR)")
	bindDataFlag(fs, c)
	fs.StringVar(&c.NATSURL, "nats", envOr("STOA_NATS_URL", ""), "NATS server of a cluster of nodes, nats://host:4222 (env STOA_NATS_URL); empty: a single node")
	fs.StringVar(&c.NodeName, "node-name", envOr("STOA_NODE_NAME", ""), "this node's name in logs, metrics and /healthz (env STOA_NODE_NAME); default its host:port")
	fs.StringVar(&c.BaseURL, "base-url", envOr("STOA_BASE_URL", ""), "public URL of the site, e.g. https://forum.example.org (env STOA_BASE_URL); default http://ADDR")
	fs.StringVar(&c.SMTPURL, "smtp-url", envOr("STOA_SMTP_URL", ""), "mail server, smtp://user:pass@host:587 or smtps://host:465 (env STOA_SMTP_URL); mail stays queued when unset")
	fs.StringVar(&c.SMTPFrom, "smtp-from", envOr("STOA_SMTP_FROM", ""), "sender address of Stoa's mail (env STOA_SMTP_FROM); default stoa@<base-url host>")
	fs.StringVar(&c.LogFormat, "log-format", envOr("STOA_LOG_FORMAT", "text"), "log format: text or json (env STOA_LOG_FORMAT)")
	fs.StringVar(&c.TLSCert, "tls-cert", envOr("STOA_TLS_CERT", ""), "TLS certificate file (env STOA_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", envOr("STOA_TLS_KEY", ""), "TLS key file (env STOA_TLS_KEY)")
	fs.StringVar(&c.ACMEDomain, "acme-domain", envOr("STOA_ACME_DOMAIN", ""), "get certificates automatically (Let's Encrypt) for this domain; cache in DATA/acme (env STOA_ACME_DOMAIN)")
	fs.StringVar(&c.HTTPAddr, "http-addr", envOr("STOA_HTTP_ADDR", ""), "with TLS, also listen here for plain HTTP: ACME challenges and redirects to HTTPS, e.g. :80 (env STOA_HTTP_ADDR)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", envOr("STOA_METRICS_ADDR", ""), "serve Prometheus /metrics and pprof here, e.g. 127.0.0.1:9090; off when empty (env STOA_METRICS_ADDR)")
	fs.BoolVar(&c.RequireEmail, "require-email", envOr("STOA_REQUIRE_EMAIL", "") == "true", "ask for an email address at registration (env STOA_REQUIRE_EMAIL=true)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", envOr("STOA_TRUST_PROXY", "") == "true", "behind a reverse proxy: take the client address for rate limits from X-Forwarded-For (env STOA_TRUST_PROXY=true)")
	fs.BoolVar(&c.NoRateLimits, "no-rate-limits", envOr("STOA_NO_RATE_LIMITS", "") == "true", "turn rate limits off: only for load tests, never on a public site (env STOA_NO_RATE_LIMITS=true)")
	origins := envOr("STOA_ALLOWED_ORIGINS", "")
	fs.Func("allowed-origin", "extra origin allowed to open chat WebSockets, repeatable (env STOA_ALLOWED_ORIGINS, comma-separated)", func(s string) error {
		c.AllowedOrigins = append(c.AllowedOrigins, s)
		return nil
	})
	if origins != "" {
		c.AllowedOrigins = strings.Split(origins, ",")
	}
}

// bindDataFlag declares where the database is, for serve and every command that opens it.
func bindDataFlag(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.DataDir, "data", envOr("STOA_DATA", "./data"), "folder for the database and other data (env STOA_DATA)")
	fs.StringVar(&c.DatabaseURL, "database", envOr("STOA_DATABASE_URL", ""), "PostgreSQL database, postgres://user@host:5432/stoa (env STOA_DATABASE_URL); empty: SQLite in --data")
}

// checkDatabase refuses a --database that names no PostgreSQL database.
func (c *Config) checkDatabase() error {
	if c.DatabaseURL != "" && !storage.IsPostgresURL(c.DatabaseURL) {
		return fmt.Errorf("--database %q must be a postgres:// URL (leave it empty for SQLite in --data)", c.DatabaseURL)
	}
	return nil
}

// finish checks the configuration and fills in derived defaults.
func (c *Config) finish() error {
	if err := c.checkDatabase(); err != nil {
		return err
	}
	if c.NATSURL != "" && !strings.HasPrefix(c.NATSURL, "nats://") && !strings.HasPrefix(c.NATSURL, "tls://") {
		return fmt.Errorf("--nats %q must be a nats:// URL", c.NATSURL)
	}
	if c.NATSURL != "" && c.DatabaseURL == "" {
		return fmt.Errorf("--nats needs --database postgres://…: nodes of a cluster share one PostgreSQL database")
	}
	if c.NodeName == "" {
		c.NodeName = c.Addr
		if host, err := os.Hostname(); err == nil {
			if _, port, err := net.SplitHostPort(c.Addr); err == nil {
				c.NodeName = net.JoinHostPort(host, port)
			}
		}
	}
	if c.BaseURL == "" {
		scheme := "http"
		host := c.Addr
		if c.TLSCert != "" {
			scheme = "https"
		}
		if c.ACMEDomain != "" {
			scheme, host = "https", c.ACMEDomain
		}
		c.BaseURL = scheme + "://" + host
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("--base-url %q must be an http:// or https:// URL", c.BaseURL)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.ACMEDomain != "" && c.TLSCert != "" {
		return fmt.Errorf("use either --acme-domain or --tls-cert/--tls-key, not both")
	}
	if c.HTTPAddr != "" && c.TLSCert == "" && c.ACMEDomain == "" {
		return fmt.Errorf("--http-addr redirects to HTTPS, so it needs --tls-cert or --acme-domain")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	return nil
}
