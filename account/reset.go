package account

import (
	"context"
	"net/http"
	"strings"
	"time"

	"stoa/storage"
	"stoa/web"
)

// ResetTTL is how long a password reset link works.
const ResetTTL = time.Hour

var errTooManyResets = &web.Error{Status: http.StatusTooManyRequests, RetryAfter: 20 * time.Minute,
	Message: "Several reset links were asked for in a short time. Check your inbox and spam folder for the ones already sent, or try again in 20 minutes."}

// RequestReset queues a reset link for every account the username or address login names,
// asked for by client (an in-memory rate-limit key). It does the same work and answers the
// same whether or not any account matched, so it cannot be used to find out who is
// registered.
func (s *Service) RequestReset(ctx context.Context, login, client string) error {
	login = strings.TrimSpace(login)
	if login == "" || len(login) > 254 {
		return web.Invalid("login", "Enter your username or the email address of your account.")
	}
	// Both limits are checked, so a blocked client does not use up a person's allowance.
	byLogin, byClient := s.forgotByLogin.Allow(strings.ToLower(login)), s.forgotByClient.Allow(client)
	if !byLogin || !byClient {
		return errTooManyResets
	}
	return s.store.db.Write(ctx, func(tx *storage.Tx) error {
		found, err := s.store.resetTargets(tx, login)
		if err != nil {
			return err
		}
		for _, m := range found {
			token := NewToken()
			if err := s.store.insertMailToken(tx, token, m.id, purposeReset, m.email, s.now(), ResetTTL); err != nil {
				return err
			}
			msg, err := s.outbox.Compose("reset", m.email, map[string]string{
				"Username": m.username, "Link": s.outbox.BaseURL() + "/reset/" + token})
			if err != nil {
				return err
			}
			msg.UserID = m.id
			if err := s.outbox.Enqueue(tx, msg); err != nil {
				return err
			}
		}
		return nil
	})
}

// PeekReset returns whose password a reset link resets, without using it up;
// storage.ErrNotFound when it is unknown, used or expired.
func (s *Service) PeekReset(ctx context.Context, token string) (string, error) {
	t, err := s.store.peekMailToken(ctx, token, purposeReset, s.now())
	if err != nil {
		return "", err
	}
	u, err := s.store.ByID(ctx, t.UserID)
	if err != nil {
		return "", err
	}
	return u.Username, nil
}

// ResetPassword sets a new password through a reset link, uses the link up and ends every
// session of the account: whoever might have known the old password is logged out
// everywhere. storage.ErrNotFound when the link is unknown, used or expired.
//
// The link is looked up before anything else: a password is hashed (argon2id, 19 MiB)
// only for a link that works, so a flood of made-up links costs a read each.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	if _, err := s.store.peekMailToken(ctx, token, purposeReset, s.now()); err != nil {
		return err
	}
	if msg := ValidatePassword(password); msg != "" {
		return web.Invalid("password", msg)
	}
	hash, err := s.passwords.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.store.db.Write(ctx, func(tx *storage.Tx) error {
		t, err := s.store.takeMailToken(tx, token, purposeReset, s.now())
		if err != nil {
			return err
		}
		if err := s.store.setPassword(tx, t.UserID, hash); err != nil {
			return err
		}
		// Opening the link proved the address works and is theirs.
		if err := s.store.confirmEmailIf(tx, t.UserID, t.Email); err != nil {
			return err
		}
		if err := s.store.deleteMailTokens(tx, t.UserID, purposeReset); err != nil {
			return err
		}
		return s.endSessions(tx, t.UserID, ReasonReset)
	})
}
