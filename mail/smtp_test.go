package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"stoa/mail/mailtest"
)

func TestStartRejectsMalformedURL(t *testing.T) {
	for _, u := range []string{"http://mail.example.org", "smtp://", "smtp://host:port", "smtp://host?tls=maybe"} {
		o := NewOutbox(openDB(t), Config{SMTPURL: u})
		if err := o.Start(context.Background()); err == nil {
			o.Close()
			t.Errorf("Start(%q) = nil, want an error", u)
		}
	}
}

func TestStartTLSWithLogin(t *testing.T) {
	serverTLS, clientTLS := mailtest.SelfSigned(t)
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, Username: "stoa", Password: "s3cret"})
	o := started(t, NewOutbox(openDB(t), Config{SMTPURL: srv.URL() + "?tls=required", TLS: clientTLS}))
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Over TLS", Text: "hello"})
	if m := srv.Wait(1, 10*time.Second); m[0].Header.Get("Subject") != "Over TLS" {
		t.Fatalf("subject = %q", m[0].Header.Get("Subject"))
	}
}

func TestImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := mailtest.SelfSigned(t)
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, Implicit: true, Username: "stoa", Password: "s3cret"})
	if !strings.HasPrefix(srv.URL(), "smtps://") {
		t.Fatalf("URL = %q", srv.URL())
	}
	o := started(t, NewOutbox(openDB(t), Config{SMTPURL: srv.URL(), TLS: clientTLS}))
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Implicit", Text: "hello"})
	srv.Wait(1, 10*time.Second)
}

func TestWrongPasswordIsRetriedNotLost(t *testing.T) {
	serverTLS, clientTLS := mailtest.SelfSigned(t)
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, Username: "stoa", Password: "right"})
	o, d, _ := stepper(t, strings.Replace(srv.URL(), ":right@", ":wrong@", 1), Config{TLS: clientTLS})
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Hi", Text: "hello"})
	o.deliverDue(context.Background(), d)
	if q := list(t, o); len(q) != 1 || q[0].Failed || q[0].LastError == "" {
		t.Fatalf("outbox = %+v, want the mail queued with the login error", q)
	}
}
