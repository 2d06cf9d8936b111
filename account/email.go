package account

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"time"

	"stoa/storage"
	"stoa/web"
)

// ConfirmTTL is how long an address confirmation link works.
const ConfirmTTL = 48 * time.Hour

// EmailStatus is a member's address as their settings page shows it.
type EmailStatus struct {
	Current   string
	Confirmed bool
	// Pending is a new address waiting for its confirmation link to be opened.
	Pending string
	// MailOff says the site has no mail server yet: links are kept until it has one.
	MailOff bool
}

// EmailStatus returns the member's address, confirmed or not, and any change waiting for
// confirmation.
func (s *Service) EmailStatus(ctx context.Context, userID int64) (EmailStatus, error) {
	u, err := s.store.ByID(ctx, userID)
	if err != nil {
		return EmailStatus{}, err
	}
	st := EmailStatus{Current: u.Email, Confirmed: u.EmailVerified, MailOff: !s.outbox.Configured()}
	if st.Pending, err = s.store.pendingEmail(ctx, userID, u.Email, s.now()); err != nil {
		return EmailStatus{}, err
	}
	return st, nil
}

// MailOff reports that the site has no mail server configured, so links sent now arrive
// only once it has one.
func (s *Service) MailOff() bool { return !s.outbox.Configured() }

// queueConfirmation stores a fresh confirmation link for address, replacing any earlier
// one, and queues the mail that carries it, inside tx.
func (s *Service) queueConfirmation(tx *storage.Tx, userID int64, username, address string) error {
	if err := s.store.deleteMailTokens(tx, userID, purposeConfirm); err != nil {
		return err
	}
	token := NewToken()
	if err := s.store.insertMailToken(tx, token, userID, purposeConfirm, address, s.now(), ConfirmTTL); err != nil {
		return err
	}
	m, err := s.outbox.Compose("confirm", address, map[string]string{
		"Username": username, "Email": address, "Valid": "48 hours",
		"Link": s.outbox.BaseURL() + "/me/email/confirm/" + token,
	})
	if err != nil {
		return err
	}
	m.UserID = userID
	return s.outbox.Enqueue(tx, m)
}

var errSameAddress = web.Invalid("email", "That is already your confirmed address.")

// ChangeEmail starts changing the member's address to newEmail once they gave their
// password: a confirmation link goes to the new address, which replaces the old one only
// when the link is opened, and the confirmed old address is told of the change. It
// returns the new address as it was understood.
func (s *Service) ChangeEmail(ctx context.Context, u *User, newEmail, password string) (string, error) {
	fields := map[string]string{}
	address, msg := NormalizeEmail(newEmail)
	switch {
	case msg != "":
		fields["email"] = msg
	case address == "":
		fields["email"] = "Enter the new address. To remove your address, use “Remove address” below."
	}
	// The password is checked even when the address is wrong, so both are answered at once.
	if err := s.checkPassword(ctx, u, password, "password"); err != nil {
		e := web.AsError(err)
		if e == nil {
			return "", err
		}
		maps.Copy(fields, e.Fields)
	}
	if err := web.InvalidFields(fields); err != nil {
		return "", err
	}
	err := s.store.db.Write(ctx, func(tx *storage.Tx) error {
		current, confirmed, err := s.store.emailOf(tx, u.ID)
		if err != nil {
			return err
		}
		if strings.EqualFold(current, address) && confirmed {
			return errSameAddress
		}
		if err := s.queueConfirmation(tx, u.ID, u.Username, address); err != nil {
			return err
		}
		if current == "" || !confirmed || strings.EqualFold(current, address) {
			return nil
		}
		// Tell the confirmed address it is being replaced: if someone else is logged in
		// as this member, the owner hears of it where the intruder cannot intercept it.
		m, err := s.outbox.Compose("email_changing", current, map[string]string{"Username": u.Username, "NewEmail": address})
		if err != nil {
			return err
		}
		m.UserID = u.ID
		return s.outbox.Enqueue(tx, m)
	})
	return address, err
}

var errTooManyLinks = web.Refused(http.StatusTooManyRequests,
	"We sent several links in a short time. Wait a few minutes, check your spam folder, then try again.")

// ResendConfirmation sends a fresh confirmation link to the member's unconfirmed address
// and returns it; "" when there is nothing to confirm.
func (s *Service) ResendConfirmation(ctx context.Context, u *User) (string, error) {
	if !s.byMember.Allow(memberKey(u.ID)) {
		return "", errTooManyLinks
	}
	var sentTo string
	err := s.store.db.Write(ctx, func(tx *storage.Tx) error {
		current, confirmed, err := s.store.emailOf(tx, u.ID)
		if err != nil || current == "" || confirmed {
			return err
		}
		sentTo = current
		return s.queueConfirmation(tx, u.ID, u.Username, current)
	})
	return sentTo, err
}

// RemoveEmail forgets the member's address once they gave their password, with the links
// and the mail still waiting for it.
func (s *Service) RemoveEmail(ctx context.Context, u *User, password string) error {
	if err := s.checkPassword(ctx, u, password, "remove-password"); err != nil {
		return err
	}
	return s.store.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.removeEmail(tx, u.ID); err != nil {
			return err
		}
		if err := s.store.deleteMailTokens(tx, u.ID, purposeConfirm); err != nil {
			return err
		}
		// Mail not yet sent would go to the address the member just withdrew.
		return s.outbox.PurgeUser(tx, u.ID)
	})
}

// PeekConfirmation returns whose address a confirmation link confirms, without using it
// up; storage.ErrNotFound when it is unknown, used or expired.
func (s *Service) PeekConfirmation(ctx context.Context, token string) (username, address string, err error) {
	t, err := s.store.peekMailToken(ctx, token, purposeConfirm, s.now())
	if err != nil {
		return "", "", err
	}
	u, err := s.store.ByID(ctx, t.UserID)
	if err != nil {
		return "", "", err
	}
	return u.Username, t.Email, nil
}

// ConfirmEmail uses a confirmation link up and makes its address the member's confirmed
// one; storage.ErrNotFound when it is unknown, used or expired.
func (s *Service) ConfirmEmail(ctx context.Context, token string) (string, error) {
	var address string
	err := s.store.db.Write(ctx, func(tx *storage.Tx) error {
		t, err := s.store.takeMailToken(tx, token, purposeConfirm, s.now())
		if err != nil {
			return err
		}
		address = t.Email
		if err := s.store.setConfirmedEmail(tx, t.UserID, t.Email); err != nil {
			return err
		}
		return s.store.deleteMailTokens(tx, t.UserID, purposeConfirm)
	})
	return address, err
}
