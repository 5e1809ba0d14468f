package market_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// fxMailer records what it sends; it fails for recipients listed in failFor.
type fxMailer struct {
	mu      sync.Mutex
	sent    []market.Mail
	failFor string
}

func (m *fxMailer) Send(_ context.Context, mail market.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failFor != "" && slices.Contains(mail.To, m.failFor) {
		return errors.New("mailbox unavailable")
	}
	m.sent = append(m.sent, mail)
	return nil
}

func TestNotifications(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		c1 := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeFree, 0); return a }())
		w.clock.Advance(time.Minute)
		c2 := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeFree, 0); return a }())
		ns, err := s.Notifications(ctx, w.holder, false, 0)
		if err != nil || len(ns) != 2 || ns[0].Link != market.ContractLink(c2.ContractNo) ||
			!strings.Contains(ns[1].Subject, c1.ContractNo) || !strings.Contains(ns[1].Body, "书面通知") {
			t.Fatalf("notifications %+v %v", ns, err)
		}
		if n, _ := s.UnreadCount(ctx, w.holder); n != 2 {
			t.Errorf("unread %d", n)
		}
		if n, _ := s.UnreadCount(ctx, w.lic); n != 0 {
			t.Errorf("licensee unread %d", n)
		}
		if err := s.MarkNotificationRead(ctx, w.lic, ns[0].ID); fxCode(err) != "forbidden" {
			t.Errorf("foreign mark read: %v", err)
		}
		if err := s.MarkNotificationRead(ctx, w.holder, ns[0].ID); err != nil {
			t.Fatal(err)
		}
		if unread, _ := s.Notifications(ctx, w.holder, true, 10); len(unread) != 1 || unread[0].ID != ns[1].ID {
			t.Errorf("unread list %+v", unread)
		}
		if err := s.MarkNotificationRead(ctx, w.holder, 0); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.UnreadCount(ctx, w.holder); n != 0 {
			t.Errorf("unread after marking all %d", n)
		}
		if _, err := s.Notifications(ctx, market.Actor{}, false, 0); fxCode(err) != "unauthenticated" {
			t.Errorf("anonymous: %v", err)
		}
	})
}

func TestDeliverNotificationEmails(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		// An old notification from before e-mail was configured: marked, not sent.
		old := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeFree, 0); return a }())
		w.clock.Advance(market.MailMaxAge + time.Hour)
		colleague := w.user(t, w.holderOrg, market.RoleHolder)
		c := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeFree, 0); return a }())
		// The licensee's colleague's mailbox fails for a payment confirmation.
		otherOrg := w.org(t, market.KindEnterprise, true)
		otherLic := w.user(t, otherOrg, market.RoleLicensee)
		paid := w.accept(t, otherLic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 100); return a }())
		p, err := s.RecordPayment(ctx, otherLic, paid.ContractNo, 100, market.DateOf(w.clock.Now()), "r")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmPayment(ctx, w.holder, paid.ContractNo, p.ID); err != nil {
			t.Fatal(err)
		}
		var otherUser market.User
		s.Gorm().First(&otherUser, otherLic.UserID)
		m := &fxMailer{failFor: otherUser.Email}
		n, err := s.DeliverNotificationEmails(ctx, m, "https://kf.example.cn/", 100)
		if err == nil || !strings.Contains(err.Error(), "mailbox unavailable") {
			t.Errorf("send error not reported: %v", err)
		}
		// Sent to the licensor: the acceptances of c and paid and the recorded payment; not the old news.
		if n != 3 || len(m.sent) != 3 {
			t.Fatalf("sent %d (%d): %+v", n, len(m.sent), m.sent)
		}
		var holderUser, colleagueUser market.User
		s.Gorm().First(&holderUser, w.holder.UserID)
		s.Gorm().First(&colleagueUser, colleague.UserID)
		first := m.sent[0]
		if !slices.Equal(first.To, []string{holderUser.Email, colleagueUser.Email}) || !strings.Contains(first.Subject, c.ContractNo) ||
			!strings.HasSuffix(first.Body, "https://kf.example.cn"+market.ContractLink(c.ContractNo)) {
			t.Errorf("first mail %+v", first)
		}
		for _, mail := range m.sent {
			if strings.Contains(mail.Subject, old.ContractNo) {
				t.Error("old notification e-mailed")
			}
		}
		// The failed one is retried next time, and only it.
		m.failFor = ""
		n, err = s.DeliverNotificationEmails(ctx, m, "https://kf.example.cn", 100)
		if err != nil || n != 1 || !slices.Contains(m.sent[3].To, otherUser.Email) {
			t.Errorf("retry: %d %v %+v", n, err, m.sent)
		}
		if n, err := s.DeliverNotificationEmails(ctx, m, "https://kf.example.cn", 100); n != 0 || err != nil {
			t.Errorf("nothing left: %d %v", n, err)
		}
	})
}

// fxSMTPServer accepts one message over a minimal SMTP dialogue and returns it on the channel.
func fxSMTPServer(t *testing.T) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		fmt.Fprint(conn, "220 fake ESMTP\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				fmt.Fprint(conn, "250 fake\r\n")
			case strings.HasPrefix(cmd, "DATA"):
				fmt.Fprint(conn, "354 go ahead\r\n")
				var msg strings.Builder
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					msg.WriteString(l)
				}
				got <- msg.String()
				fmt.Fprint(conn, "250 queued\r\n")
			case strings.HasPrefix(cmd, "QUIT"):
				fmt.Fprint(conn, "221 bye\r\n")
				return
			default:
				fmt.Fprint(conn, "250 ok\r\n")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSMTPMailer(t *testing.T) {
	addr, got := fxSMTPServer(t)
	m := market.SMTPMailer{Addr: addr, From: "noreply@kf.example.cn"}
	body := strings.Repeat("专利开放许可实施通知书。", 20)
	if err := m.Send(context.Background(), market.Mail{To: []string{"a@example.cn", "b@example.cn"}, Subject: "合同 KF20250303-000001 已生效", Body: body}); err != nil {
		t.Fatal(err)
	}
	msg := <-got
	head, encoded, ok := strings.Cut(msg, "\r\n\r\n")
	if !ok {
		t.Fatalf("no header/body split: %q", msg)
	}
	hdr, err := mail.ReadMessage(strings.NewReader(head + "\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(hdr.Header.Get("Subject"))
	if err != nil || subject != "合同 KF20250303-000001 已生效" || hdr.Header.Get("To") != "a@example.cn, b@example.cn" {
		t.Errorf("headers %v / %q %v", hdr.Header, subject, err)
	}
	for _, l := range strings.Split(strings.TrimSpace(encoded), "\r\n") {
		if len(l) > 76 {
			t.Errorf("body line of %d characters", len(l))
		}
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.TrimSpace(encoded), "\r\n", ""))
	if err != nil || string(decoded) != body {
		t.Errorf("body %q %v", decoded, err)
	}
	if err := m.Send(context.Background(), market.Mail{To: []string{"x@example.cn\r\nBcc: evil@example.cn"}}); err == nil {
		t.Error("header injection accepted")
	}
}

// Marking notifications read: a visitor must log in; staff without an organisation, logged in with a
// valid session or token, are refused, not told to log in.
func TestMarkNotificationsReadRefusals(t *testing.T) {
	s := markettest.SQLite(t)
	ctx := context.Background()
	staff := market.Actor{UserID: 1, Role: market.RoleBureau}
	for name, err := range map[string]error{
		"one":  s.MarkNotificationRead(ctx, staff, 0),
		"some": s.MarkNotificationsRead(ctx, staff, []int64{1}),
	} {
		if fxCode(err) != "forbidden" {
			t.Errorf("staff, %s: %v", name, err)
		}
	}
	for name, err := range map[string]error{
		"one":  s.MarkNotificationRead(ctx, market.Actor{}, 0),
		"some": s.MarkNotificationsRead(ctx, market.Actor{}, []int64{1}),
	} {
		if fxCode(err) != "unauthenticated" {
			t.Errorf("anonymous, %s: %v", name, err)
		}
	}
}
