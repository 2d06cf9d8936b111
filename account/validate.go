package account

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"stoa/web"
)

// reservedNames cannot be registered: they would let someone pose as staff or the system.
var reservedNames = map[string]bool{
	"admin": true, "administrator": true, "admins": true, "moderator": true, "moderators": true,
	"mod": true, "mods": true, "staff": true, "system": true, "root": true, "stoa": true,
	"support": true, "help": true, "anonymous": true, "former-member": true, "deleted": true,
	"everyone": true, "here": true, "all": true, "me": true, "null": true, "api": true,
}

// Registration is what the registration form asks for (P1: nothing more).
type Registration struct {
	Username string
	Password string
	Email    string
}

// ValidateUsername returns a message for a username that cannot be registered, or "".
func ValidateUsername(name string) string {
	switch {
	case len(name) < 3 || len(name) > 32:
		return "Choose a username of 3 to 32 characters."
	case !isNameStart(name[0]):
		return "Start your username with a letter or a digit."
	case reservedNames[UsernameKey(name)]:
		return "That username is reserved. Please choose another."
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isNameStart(c) && c != '_' && c != '-' {
			return "Use only letters, digits, '_' and '-' in your username."
		}
	}
	return ""
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ValidatePassword returns a message for an unacceptable password, or "".
func ValidatePassword(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < 8:
		return "Use a password of at least 8 characters."
	case len(pw) > 256:
		return "Use a password of at most 256 characters."
	}
	return ""
}

// NormalizeEmail checks an optional email address; "" stays "".
func NormalizeEmail(email string) (string, string) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", ""
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", "Enter an email address like name@example.org, or leave it empty."
	}
	return email, ""
}

// checkNewUser applies the rules for a name and password given by staff or a tool: staff
// may take reserved names such as "admin"; every other rule still applies.
func checkNewUser(username, password string, role Role) error {
	if msg := ValidateUsername(username); msg != "" && !(role.IsStaff() && reservedNames[UsernameKey(username)]) {
		return web.Invalid("username", msg)
	}
	if msg := ValidatePassword(password); msg != "" {
		return web.Invalid("password", msg)
	}
	return nil
}
