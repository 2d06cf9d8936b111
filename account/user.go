// Package account owns members: registration, passwords, roles, sessions and the
// member's own data.
package account

import (
	"context"
	"errors"
	"time"
)

// Role is what a member may do on the site.
type Role string

// The roles, from least to most trusted.
const (
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// ParseRole returns the role named s, or false when s names none.
func ParseRole(s string) (Role, bool) {
	switch r := Role(s); r {
	case RoleMember, RoleModerator, RoleAdmin:
		return r, true
	}
	return "", false
}

// IsStaff reports whether the role may moderate.
func (r Role) IsStaff() bool { return r == RoleModerator || r == RoleAdmin }

// User is a member as the rest of Stoa sees them.
type User struct {
	ID            int64
	Username      string
	DisplayName   string
	Email         string
	EmailVerified bool
	Role          Role
	CreatedAt     time.Time
	// Restricted, when set, is why the member may only read and answer the moderators'
	// notices (a suspension): every other write is refused with this text.
	Restricted string
}

// Name is what pages show for the member: the display name when set.
func (u *User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// IsStaff reports whether the member may moderate.
func (u *User) IsStaff() bool { return u != nil && u.Role.IsStaff() }

// IsAdmin reports whether the member administers the site.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

type ctxKey struct{}

// WithUser returns ctx carrying the logged-in member.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}

// UserFrom returns the logged-in member, or nil for an anonymous reader.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(ctxKey{}).(*User)
	return u
}

// Restrictions reports sanctions that limit a member; moderation implements it. Each
// method returns nil when allowed, or an error that tells the member why: a *web.Error
// (403), or an error with a Restriction method whose text is meant for the member.
//
// A suspension's error may also implement NoticeReader: the member cannot log in as
// usual, but may sign in to read and answer the moderators' notices.
type Restrictions interface {
	CanLogIn(ctx context.Context, userID int64) error
	CanPost(ctx context.Context, userID int64) error
}

// NoticeReader is implemented by a restriction (a suspension) that still lets the member
// sign in to read and answer the moderators' notices, and nothing else that writes.
type NoticeReader interface {
	ReadsNotices() bool
}

// readsNotices reports whether err is a restriction that leaves the member their notices.
func readsNotices(err error) bool {
	var nr NoticeReader
	return errors.As(err, &nr) && nr.ReadsNotices()
}
