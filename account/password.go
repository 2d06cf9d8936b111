package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"stoa/web"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). They are
// written into every hash, so raising them later keeps old hashes verifiable.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

var errBadHash = errors.New("account: malformed password hash")

// HashPassword returns an argon2id hash of password in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("account: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash, in constant time.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// PasswordSlots is how many argon2id hashes the server computes at once. Each takes
// argonMemory (19 MiB) while it runs, so a burst of logins, registrations or resets costs
// at most PasswordSlots × 19 MiB (76 MiB); the rest wait their turn.
const PasswordSlots = 4

// passwordWait is how long a request waits for a hashing slot before it is told to try
// again.
const passwordWait = 10 * time.Second

// ErrPasswordsBusy is the answer when every hashing slot stayed busy.
var ErrPasswordsBusy = &web.Error{Status: http.StatusServiceUnavailable, RetryAfter: 10 * time.Second,
	Message: "The server is busy checking passwords. Wait a few seconds, then send the form again."}

// Passwords hashes and checks passwords for the running server, PasswordSlots at a time.
type Passwords struct {
	slots    chan struct{}
	hashes   atomic.Int64 // argon2 computations, for tests and metrics
	inFlight atomic.Int64
	peak     atomic.Int64 // most computations seen at once
}

// NewPasswords returns an empty set of hashing slots.
func NewPasswords() *Passwords { return &Passwords{slots: make(chan struct{}, PasswordSlots)} }

func (p *Passwords) run(ctx context.Context, fn func()) error {
	t := time.NewTimer(passwordWait)
	defer t.Stop()
	select {
	case p.slots <- struct{}{}:
	case <-t.C:
		return ErrPasswordsBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	n := p.inFlight.Add(1)
	for peak := p.peak.Load(); n > peak && !p.peak.CompareAndSwap(peak, n); peak = p.peak.Load() {
	}
	p.hashes.Add(1)
	fn()
	p.inFlight.Add(-1)
	return nil
}

// Hash is HashPassword in a hashing slot.
func (p *Passwords) Hash(ctx context.Context, password string) (hash string, err error) {
	if err := p.run(ctx, func() { hash, err = HashPassword(password) }); err != nil {
		return "", err
	}
	return hash, err
}

// Check is CheckPassword in a hashing slot.
func (p *Passwords) Check(ctx context.Context, hash, password string) (ok bool, err error) {
	if err := p.run(ctx, func() { ok, err = CheckPassword(hash, password) }); err != nil {
		return false, err
	}
	return ok, err
}

// Hashes returns how many argon2id computations ran; Peak the most that ran at once.
func (p *Passwords) Hashes() int64 { return p.hashes.Load() }

// Peak returns the most argon2id computations that ran at once.
func (p *Passwords) Peak() int64 { return p.peak.Load() }
