package account

import (
	"time"

	"stoa/ratelimit"
)

// maxLoginName bounds a username as a rate-limit key: no account has a longer name (see
// ValidateUsername), so a longer one is refused before it is kept anywhere.
const maxLoginName = 32

// Login limits, kept in memory only (P3). Each account allows loginBurst attempts, then
// one a minute, however many addresses they come from: that stops guessing spread over
// many addresses. Once an account is limited, an address its owner logged in from
// before still gets through, and so does the first attempt from an address that has not
// given a wrong password for it (at most loginFresh such addresses an hour); an address
// that gave a wrong password waits an hour. So an attacker's failures cannot lock the
// owner out, and cannot buy the attacker more than one guess per new address.
const (
	loginBurst      = 10
	loginEvery      = time.Minute
	loginFresh      = 30
	loginFailedFor  = time.Hour
	loginMaxMarks   = 100_000
	loginKnownFor   = SessionTTL
	loginFreshEvery = time.Hour / loginFresh
)

type loginLimits struct {
	perAccount *ratelimit.Keyed // attempts per account
	fresh      *ratelimit.Keyed // attempts from new addresses per limited account
	known      *ratelimit.Marks // account and address that logged in
	failed     *ratelimit.Marks // account and address that gave a wrong password
}

func newLoginLimits() *loginLimits {
	return &loginLimits{
		perAccount: ratelimit.New(loginEvery, loginBurst),
		fresh:      ratelimit.New(loginFreshEvery, loginFresh),
		known:      ratelimit.NewMarks(loginKnownFor, loginMaxMarks),
		failed:     ratelimit.NewMarks(loginFailedFor, loginMaxMarks),
	}
}

func loginPair(name, client string) string { return name + "\x00" + client }

// admit reports whether an attempt to log in as name (its UsernameKey) from client may
// check the password.
func (l *loginLimits) admit(name, client string) bool {
	if l.perAccount.Allow(name) {
		return true
	}
	pair := loginPair(name, client)
	switch {
	case l.known.Has(pair):
		return true
	case l.failed.Has(pair):
		return false
	}
	return l.fresh.Allow(name)
}

// result records how an admitted attempt went.
func (l *loginLimits) result(name, client string, ok bool) {
	if ok {
		l.known.Mark(loginPair(name, client))
	} else {
		l.failed.Mark(loginPair(name, client))
	}
}
