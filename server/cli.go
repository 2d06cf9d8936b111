package server

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"stoa/account"
	"stoa/storage"
)

// Version is set at build time with -ldflags "-X stoa/server.Version=…".
var Version = "dev"

const usage = `Stoa: a self-hosted community forum and real-time chat.

Usage:
  stoa [serve] [flags]                       start the server (default)
  stoa user add [--role ROLE] NAME           add a member, moderator or admin;
                                             password from STOA_PASSWORD or standard input
  stoa user passwd NAME                      set a member's password (from STOA_PASSWORD
                                             or standard input) and log them out everywhere
  stoa backup [--data DIR] FILE              write a consistent copy of the live database
  stoa migrate-data [--data DIR] --to URL    copy the community in --data into an empty
                                             PostgreSQL database (postgres://…) and verify it
  stoa version                               print the version
  stoa help                                  print this text

Flags may come before or after a command's arguments.
Run "stoa COMMAND --help" for a command's flags.
`

// Main runs the command line and exits the process with its status.
func Main(args []string) {
	os.Exit(run(args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && isHelp(args[0]) {
		// "stoa --help" asks about Stoa, not only about serve: list the commands first.
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout, "\nFlags of stoa serve:")
		fs := flag.NewFlagSet("stoa serve", flag.ContinueOnError)
		fs.SetOutput(stdout)
		bindServeFlags(fs, new(Config))
		fs.PrintDefaults()
		return 0
	}
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args, stderr)
	case "user":
		err = userCmd(args, stdin, stdout)
	case "backup":
		err = backupCmd(args, stdout)
	case "migrate-data":
		err = migrateDataCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "stoa", Version)
	case "help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "stoa: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "stoa:", err)
		return 1
	}
	return 0
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help"
}

// parseInterspersed parses fs from args, allowing flags after positional arguments
// ("stoa user add alice --role admin" as well as "stoa user add --role admin alice"),
// and returns the positional arguments. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func serve(args []string, stderr io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("stoa serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindServeFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(cfg.LogFormat, stderr)
	app, err := NewApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	return app.ListenAndServe(ctx)
}

// ListenAndServe serves until ctx ends, then shuts down gracefully: it stops accepting,
// lets requests in flight finish (up to 10 s), and closes the app.
func (a *App) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w\nAnother program is listening on %s. Stop it, or choose another address: "+
			"stoa serve --addr 127.0.0.1:8081 (make run ADDR=127.0.0.1:8081)", err, a.cfg.Addr)
	}
	if err != nil {
		return err
	}
	srv := a.newHTTPServer(a.Handler())
	var servers []*http.Server
	errc := make(chan error, 3)
	serve := func(s *http.Server, l net.Listener, tls bool) {
		servers = append(servers, s)
		go func() {
			var err error
			if tls {
				err = s.ServeTLS(l, a.cfg.TLSCert, a.cfg.TLSKey)
			} else {
				err = s.Serve(l)
			}
			if !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}

	redirect := http.Handler(http.HandlerFunc(a.redirectToHTTPS))
	if a.cfg.ACMEDomain != "" {
		m := &autocert.Manager{Prompt: autocert.AcceptTOS, HostPolicy: autocert.HostWhitelist(a.cfg.ACMEDomain),
			Cache: autocert.DirCache(filepath.Join(a.cfg.DataDir, "acme"))}
		srv.TLSConfig = m.TLSConfig()
		redirect = m.HTTPHandler(redirect)
	}
	serve(srv, ln, a.cfg.TLSCert != "" || a.cfg.ACMEDomain != "")
	if a.cfg.HTTPAddr != "" {
		hl, err := net.Listen("tcp", a.cfg.HTTPAddr)
		if err != nil {
			return err
		}
		serve(a.newHTTPServer(redirect), hl, false)
	}
	if a.cfg.MetricsAddr != "" {
		ml, err := net.Listen("tcp", a.cfg.MetricsAddr)
		if err != nil {
			return err
		}
		a.log.Info("metrics", "url", "http://"+ml.Addr().String()+"/metrics")
		serve(a.newHTTPServer(a.metrics.handler()), ml, false)
	}
	a.log.Info("listening", "addr", ln.Addr().String(), "url", a.cfg.BaseURL, "data", a.cfg.DataDir, "version", Version)
	if u := a.SetupURL(); u != "" {
		a.log.Info("setup: open " + u + " to create the first admin account (this link works once)")
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, fn := range a.onShutdown {
		fn(shutdownCtx)
	}
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.Shutdown(shutdownCtx))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func (a *App) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
}

// redirectToHTTPS sends plain-HTTP visitors to the same path on the HTTPS site.
func (a *App) redirectToHTTPS(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, a.cfg.BaseURL+r.URL.RequestURI(), http.StatusMovedPermanently)
}

const userUsage = `usage: stoa user add [--role admin|moderator|member] [--data DIR] NAME
       stoa user passwd [--data DIR] NAME`

func userCmd(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	switch args[0] {
	case "add":
		return userAdd(args[1:], stdin, stdout)
	case "passwd":
		return userPasswd(args[1:], stdin, stdout)
	}
	return errors.New(userUsage)
}

func userAdd(args []string, stdin io.Reader, stdout io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("stoa user add", flag.ContinueOnError)
	bindDataFlag(fs, &cfg)
	roleName := fs.String("role", "member", "role: admin, moderator or member")
	names, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := cfg.checkDatabase(); err != nil {
		return err
	}
	if len(names) != 1 {
		return errors.New(userUsage)
	}
	name := names[0]
	role, ok := account.ParseRole(*roleName)
	if !ok {
		return fmt.Errorf("unknown role %q: use admin, moderator or member", *roleName)
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, cfg.Database(), storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := account.AddUser(ctx, account.NewStore(db), name, password, role)
	if errors.Is(err, account.ErrUsernameTaken) {
		return fmt.Errorf("a member called %q already exists", name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %s %q (id %d).\n", u.Role, u.Username, u.ID)
	return nil
}

// userPasswd sets a member's password for an operator helping someone who cannot log in
// and whom mail cannot reach; it works while the server runs.
func userPasswd(args []string, stdin io.Reader, stdout io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("stoa user passwd", flag.ContinueOnError)
	bindDataFlag(fs, &cfg)
	names, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := cfg.checkDatabase(); err != nil {
		return err
	}
	if len(names) != 1 {
		return errors.New(userUsage)
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, cfg.Database(), storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := account.SetPassword(ctx, account.NewStore(db), names[0], password)
	if errors.Is(err, account.ErrNoSuchMember) {
		return fmt.Errorf("there is no member called %q", names[0])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Changed the password of %s %q; every device logged in to the account was logged out.\n", u.Role, u.Username)
	return nil
}

// readPassword reads a password from STOA_PASSWORD or else the first line of stdin.
func readPassword(stdin io.Reader) (string, error) {
	if password, ok := os.LookupEnv("STOA_PASSWORD"); ok {
		return password, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("give the password in STOA_PASSWORD or on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func backupCmd(args []string, stdout io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("stoa backup", flag.ContinueOnError)
	bindDataFlag(fs, &cfg)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := cfg.checkDatabase(); err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return errors.New("stoa backup copies the SQLite database in --data; back up PostgreSQL with its own tools: " +
			"pg_dump --format=custom --file=stoa.dump DATABASE_URL, and restore with pg_restore --dbname=DATABASE_URL stoa.dump")
	}
	if len(files) != 1 {
		return errors.New("usage: stoa backup [--data DIR] FILE")
	}
	if err := storage.BackupFile(context.Background(), cfg.DBPath(), files[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s.\n", cfg.DBPath(), files[0])
	return nil
}

const migrateDataUsage = `usage: stoa migrate-data [--data DIR] --to postgres://USER@HOST:5432/DB

Copies the community in the data folder (SQLite) into an empty PostgreSQL database, which
gets Stoa's schema first, then reads every table back and compares its row count and
checksum. Stop the server first: what it writes after the copy starts is not copied.
The copy is one transaction: if anything fails, the database stays empty.

Flags:`

func migrateDataCmd(args []string, stdout, stderr io.Writer) error {
	var dataDir, to string
	fs := flag.NewFlagSet("stoa migrate-data", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), migrateDataUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&dataDir, "data", envOr("STOA_DATA", "./data"), "folder of the community to copy (env STOA_DATA)")
	fs.StringVar(&to, "to", "", "the empty PostgreSQL database to copy it into, postgres://user@host:5432/stoa (required)")
	// --database names the database a command works on; here that is the source, which
	// is always SQLite: say where the PostgreSQL URL goes instead of "flag not defined".
	database := fs.String("database", "", "not taken: the source is the SQLite database in --data, the target is --to")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *database != "" {
		return errors.New("stoa migrate-data reads the SQLite database in --data and copies it to --to: give the PostgreSQL URL as --to, not --database")
	}
	if len(rest) > 0 {
		return fmt.Errorf("stoa migrate-data takes no arguments (got %q)\n%s", strings.Join(rest, " "), "usage: stoa migrate-data [--data DIR] --to postgres://…")
	}
	if to == "" {
		return errors.New("stoa migrate-data needs --to postgres://USER@HOST:5432/DB: the empty PostgreSQL database to copy the community into")
	}
	if !storage.IsPostgresURL(to) {
		return fmt.Errorf("--to %q must be a postgres:// URL", to)
	}
	cfg := Config{DataDir: dataDir}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	var rows int64
	sums, err := storage.CopyToPostgres(ctx, cfg.DBPath(), to, func(s storage.TableSum) {
		rows += s.Rows
		fmt.Fprintf(stdout, "table %s: %d rows\n", s.Table, s.Rows)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Copied %d rows in %d tables in %s; verifying…\n", rows, len(sums), time.Since(start).Round(time.Millisecond))
	if err := storage.VerifyPostgres(ctx, to, sums); err != nil {
		return fmt.Errorf("%w\nThe copy is committed but does not match the source: do not use it; drop the database and run migrate-data again", err)
	}
	fmt.Fprintf(stdout, "Done: every table's row count and checksum match (%s). Start the nodes with --database.\n", time.Since(start).Round(time.Millisecond))
	return nil
}
