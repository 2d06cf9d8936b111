package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is the Stoa binary running as a child process on a loopback port.
type server struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	host    string // 127.0.0.1:PORT
	dataDir string
	logPath string
	exited  chan struct{}
	waitErr error
}

// freeLoopbackAddr asks the kernel for an unused loopback port.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("loadtest: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// seedUsers adds an admin and members with `stoa user add` before the server starts, so
// the server's own CPU goes to the scenarios, not to hashing passwords.
func seedUsers(ctx context.Context, bin string, where []string, admin string, members []string) error {
	add := func(role, name string) error {
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		args := append(append([]string{"user", "add"}, where...), "--role", role, name)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "STOA_PASSWORD="+password(name))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("loadtest: %s user add %s: %w: %s", bin, name, err, bytes.TrimSpace(out))
		}
		return nil
	}
	// The first one creates the database and applies the migrations on its own.
	if err := add("admin", admin); err != nil {
		return err
	}
	sem := make(chan struct{}, max(2, runtime.NumCPU()))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, m := range members {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := add("member", m); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// password is each seeded member's password: long enough for any password rule.
func password(name string) string { return "load-test-password-" + name }

// startServer runs `stoa serve` on a free loopback port and waits until /healthz answers.
// A non-empty metricsAddr turns on the server's private metrics and pprof address.
func startServer(ctx context.Context, bin, dataDir, metricsAddr, logName string, extra ...string) (*server, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dataDir, logName)
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("loadtest: server log: %w", err)
	}
	defer logf.Close() // the child keeps its own descriptor
	// Not CommandContext: the server is stopped with SIGTERM by stop, never killed on the
	// way out unless it ignores that.
	args := []string{"serve", "--addr", addr, "--data", dataDir, "--no-rate-limits"}
	if metricsAddr != "" {
		args = append(args, "--metrics-addr", metricsAddr)
	}
	args = append(args, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("loadtest: start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, host: addr, dataDir: dataDir, logPath: logPath, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("loadtest: server exited at start (%v): %s", s.waitErr, s.logTail())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := client.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("loadtest: server did not answer /healthz within 30 s: %s", s.logTail())
}

// stop sends SIGTERM and waits for a clean exit; a server that does not stop within 15 s
// is killed and that is reported as an error.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return fmt.Errorf("loadtest: server had already exited (%v): %s", s.waitErr, s.logTail())
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("loadtest: signal server: %w", err)
	}
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("loadtest: server did not stop within 15 s of SIGTERM and was killed")
	}
	if s.waitErr != nil {
		return fmt.Errorf("loadtest: server exit after SIGTERM: %w: %s", s.waitErr, s.logTail())
	}
	return nil
}

// logTail returns the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(bytes.TrimSpace(b))
}

// rss returns the server's resident memory from /proc/PID/status (VmRSS).
func (s *server) rss() (int64, error) {
	return procRSS(s.cmd.Process.Pid)
}

func procRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("loadtest: read server memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("loadtest: parse VmRSS %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("loadtest: no VmRSS in /proc status")
}

// raiseFileLimit lifts the soft open-file limit to the hard one; the server child
// inherits it. It returns the limit now in force.
func raiseFileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	return lim.Cur
}

// machine describes where the run happened, for the report.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d cores (nproc), %s", runtime.NumCPU(), cpu)
}

// loadAverage returns the 1-minute load average from /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cpuUse is how many cores the server and the tool kept busy during a phase.
type cpuUse struct{ Server, Tool float64 }

func (c cpuUse) String() string {
	if c.Server == 0 && c.Tool == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f / %.2f", c.Server, c.Tool)
}

// cpuTime is the CPU time the server process has used, from /proc/PID/stat (utime and
// stime, in clock ticks of 1/100 s on Linux).
func (s *server) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after its closing parenthesis do not.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond
}

// toolCPU is the CPU time this process has used.
func toolCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// meterCPU starts measuring; the returned function gives the cores used since. A nil
// server measures the tool alone.
// With several servers (nodes), Server is their sum.
func meterCPU(servers ...*server) func() cpuUse {
	start, tool0 := time.Now(), toolCPU()
	used := func() time.Duration {
		var t time.Duration
		for _, s := range servers {
			if s != nil {
				t += s.cpuTime()
			}
		}
		return t
	}
	srv0 := used()
	return func() cpuUse {
		wall := time.Since(start).Seconds()
		if wall <= 0 {
			return cpuUse{}
		}
		return cpuUse{Tool: (toolCPU() - tool0).Seconds() / wall, Server: (used() - srv0).Seconds() / wall}
	}
}
