package account

import (
	"time"

	"stoa/bus"
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
	// peers are the other nodes: each node tells the others of every attempt it counts and
	// every result it marks, and counts and marks theirs, so an account's limits hold
	// across the cluster while living in the nodes' memory only (the events cross NATS,
	// which keeps nothing of them).
	peers *bus.Bus
}

// subjectLogins carries login attempts and results between nodes.
const subjectLogins = "logins"

// Kinds of login events between nodes: an attempt counted against an account, one from a
// new address, an address marked as its owner's, an address that gave a wrong password.
const (
	loginAttempt = 'a'
	loginFromNew = 'f'
	loginKnown   = 'k'
	loginFailed  = 'x'
)

func newLoginLimits(peers *bus.Bus) (*loginLimits, error) {
	l := &loginLimits{
		perAccount: ratelimit.New(loginEvery, loginBurst),
		fresh:      ratelimit.New(loginFreshEvery, loginFresh),
		known:      ratelimit.NewMarks(loginKnownFor, loginMaxMarks),
		failed:     ratelimit.NewMarks(loginFailedFor, loginMaxMarks),
		peers:      peers,
	}
	if err := peers.Subscribe(subjectLogins, l.heard); err != nil {
		return nil, err
	}
	return l, nil
}

// tell passes one counted attempt or mark to the other nodes.
func (l *loginLimits) tell(kind byte, key string) {
	if l.peers.Clustered() {
		l.peers.Publish(subjectLogins, append([]byte{kind}, key...))
	}
}

// heard counts or marks what another node told.
func (l *loginLimits) heard(data []byte) {
	if len(data) < 2 {
		return
	}
	key := string(data[1:])
	switch data[0] {
	case loginAttempt:
		l.perAccount.Allow(key)
	case loginFromNew:
		l.fresh.Allow(key)
	case loginKnown:
		l.known.Mark(key)
	case loginFailed:
		l.failed.Mark(key)
	}
}

func loginPair(name, client string) string { return name + "\x00" + client }

// admit reports whether an attempt to log in as name (its UsernameKey) from client may
// check the password.
func (l *loginLimits) admit(name, client string) bool {
	if l.perAccount.Allow(name) {
		l.tell(loginAttempt, name)
		return true
	}
	pair := loginPair(name, client)
	switch {
	case l.known.Has(pair):
		return true
	case l.failed.Has(pair):
		return false
	}
	if l.fresh.Allow(name) {
		l.tell(loginFromNew, name)
		return true
	}
	return false
}

// result records how an admitted attempt went.
func (l *loginLimits) result(name, client string, ok bool) {
	pair := loginPair(name, client)
	if ok {
		l.known.Mark(pair)
		l.tell(loginKnown, pair)
	} else {
		l.failed.Mark(pair)
		l.tell(loginFailed, pair)
	}
}
