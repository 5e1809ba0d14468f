package market

// In-app notifications of an organisation, written in the same transaction as the change they announce.
// The notifications table doubles as the e-mail outbox: DeliverNotificationEmails sends what has not been
// e-mailed yet through a Mailer, after the commit, so a failed or slow mail server never blocks or undoes
// a signing, and a crash loses no e-mail.

import (
	"context"
	"encoding/base64"
	"fmt"
	"mime"
	"net/smtp"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Notification kinds.
const (
	NoticeLicenceAccepted  = "licence_accepted" // to the licensor: the written notice of a new licensee
	NoticePaymentRecorded  = "payment_recorded" // to the licensor: a payment to confirm
	NoticePaymentConfirmed = "payment_confirmed"
	NoticePaymentRejected  = "payment_rejected"
	NoticeFilingRecorded   = "filing_recorded"
	NoticeContractEnded    = "contract_ended"
	NoticeDemandApproved   = "demand_approved" // to a demand's poster
	NoticeDemandRejected   = "demand_rejected"
	NoticeNewMatches       = "new_matches" // to a user: new patents match a saved search or an open demand
)

// Notification is a message to an organisation's users.
type Notification struct {
	ID        int64      `gorm:"column:id;primaryKey"`
	OrgID     int64      `gorm:"column:org_id"`
	UserID    *int64     `gorm:"column:user_id"` // set: for this user only (alerts), else every user of OrgID
	Kind      string     `gorm:"column:kind"`
	Subject   string     `gorm:"column:subject"`
	Body      string     `gorm:"column:body"`
	Link      string     `gorm:"column:link"` // path relative to BASE_URL
	CreatedAt time.Time  `gorm:"column:created_at"`
	ReadAt    *time.Time `gorm:"column:read_at"`
	EmailedAt *time.Time `gorm:"column:emailed_at"`
}

func (Notification) TableName() string { return "notifications" }

func notifyOrg(tx *gorm.DB, orgID int64, kind string, now time.Time, link, subject, body string) error {
	return tx.Create(&Notification{OrgID: orgID, Kind: kind, Subject: subject, Body: body, Link: link, CreatedAt: now}).Error
}

// NotifyUser writes a notification inside the caller's transaction: for one user of the organisation
// when userID is set, else for all its users. It is the one entry point for new kinds of notification
// (demands, alerts, intents and their messages).
func NotifyUser(tx *gorm.DB, orgID int64, userID *int64, kind string, now time.Time, link, subject, body string) error {
	return tx.Create(&Notification{OrgID: orgID, UserID: userID, Kind: kind, Subject: subject, Body: body, Link: link, CreatedAt: now}).Error
}

// visibleTo limits a notification query to what the actor reads: its organisation's notifications for
// everyone, and those addressed to the actor.
func visibleTo(q *gorm.DB, actor Actor) *gorm.DB {
	return q.Where("org_id = ? AND (user_id IS NULL OR user_id = ?)", actor.OrgID, actor.UserID)
}

// Notifications lists the actor's organisation's notifications, newest first.
func (s *Store) Notifications(ctx context.Context, actor Actor, unreadOnly bool, limit int) ([]Notification, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	if actor.OrgID == 0 {
		return nil, nil
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := visibleTo(s.db.WithContext(ctx), actor)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	var ns []Notification
	if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&ns).Error; err != nil {
		return nil, fmt.Errorf("market: notifications: %w", err)
	}
	return ns, nil
}

// UnreadCount counts the actor's organisation's unread notifications (for the badge in the header).
func (s *Store) UnreadCount(ctx context.Context, actor Actor) (int64, error) {
	if actor.Anonymous() || actor.OrgID == 0 {
		return 0, nil
	}
	var n int64
	err := visibleTo(s.db.WithContext(ctx).Model(&Notification{}), actor).Where("read_at IS NULL").Count(&n).Error
	return n, err
}

// mayReadNotifications: notifications are an organisation's users'; a visitor must log in (ErrUnauth),
// staff without an organisation are refused (ErrForbidden), not told to log in with a valid session or
// token (docs/interfaces.md §5.7).
func mayReadNotifications(actor Actor) error {
	switch {
	case actor.Anonymous():
		return ErrUnauth
	case actor.OrgID == 0:
		return ErrForbidden
	}
	return nil
}

// MarkNotificationRead marks one notification of the actor's organisation read (id 0: all of them).
func (s *Store) MarkNotificationRead(ctx context.Context, actor Actor, id int64) error {
	if err := mayReadNotifications(actor); err != nil {
		return err
	}
	q := visibleTo(s.db.WithContext(ctx).Model(&Notification{}), actor).Where("read_at IS NULL")
	if id != 0 {
		var n Notification
		if err := s.db.WithContext(ctx).Select("id", "org_id", "user_id").Where("id = ?", id).Limit(1).Find(&n).Error; err != nil {
			return fmt.Errorf("market: load notification %d: %w", id, err)
		}
		if n.ID == 0 {
			return ErrNotFound
		}
		if n.OrgID != actor.OrgID || (n.UserID != nil && *n.UserID != actor.UserID) {
			return ErrForbidden
		}
		q = q.Where("id = ?", id)
	}
	if err := q.Update("read_at", s.now()).Error; err != nil {
		return fmt.Errorf("market: mark notification read: %w", err)
	}
	return nil
}

// MarkNotificationsRead marks the given notifications of the actor read (none given: all of them). Every
// ID must be one the actor reads; otherwise nothing changes (ErrNotFound).
func (s *Store) MarkNotificationsRead(ctx context.Context, actor Actor, ids []int64) error {
	if len(ids) == 0 {
		return s.MarkNotificationRead(ctx, actor, 0)
	}
	if err := mayReadNotifications(actor); err != nil {
		return err
	}
	if len(ids) > 500 {
		return NewFieldError("ids", "too_many_values", "一次最多标记 500 条", "at most 500 at a time")
	}
	return s.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := visibleTo(tx.Model(&Notification{}), actor).Where("id IN ?", ids).Count(&n).Error; err != nil {
			return fmt.Errorf("market: mark notifications read: %w", err)
		}
		if int(n) != len(uniqueIDs(ids)) {
			return ErrNotFound
		}
		return visibleTo(tx.Model(&Notification{}), actor).Where("id IN ? AND read_at IS NULL", ids).Update("read_at", s.now()).Error
	})
}

func uniqueIDs(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// Mail is one e-mail.
type Mail struct {
	To      []string
	Subject string
	Body    string // plain text
}

// Mailer sends e-mail. Tests use a recording fake; production uses SMTPMailer when SMTP_ADDR is set.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// SMTPMailer sends through an SMTP relay (net/smtp: STARTTLS when offered, optional PLAIN auth).
type SMTPMailer struct {
	Addr string // host:port
	From string
	Auth smtp.Auth // nil for an unauthenticated relay
}

// Send delivers one message as UTF-8 plain text with a base64 body and an RFC 2047 subject.
func (m SMTPMailer) Send(ctx context.Context, mail Mail) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, a := range append([]string{m.From}, mail.To...) {
		if strings.ContainsAny(a, "\r\n") {
			return fmt.Errorf("market: smtp: bad address %q", a)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		m.From, strings.Join(mail.To, ", "), mime.BEncoding.Encode("utf-8", mail.Subject), time.Now().Format(time.RFC1123Z))
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(mail.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	if err := smtp.SendMail(m.Addr, m.Auth, m.From, mail.To, []byte(b.String())); err != nil {
		return fmt.Errorf("market: smtp send: %w", err)
	}
	return nil
}

// MailMaxAge: notifications older than this when the mailer first sees them are marked done without
// sending, so turning SMTP on does not flood users with old news.
var MailMaxAge = 72 * time.Hour

// DeliverNotificationEmails e-mails up to limit notifications not e-mailed yet to the enabled users of
// their organisation, with links made absolute with baseURL, and marks them e-mailed. A failed send
// leaves that notification for the next call and is returned after the others were tried. On Postgres
// rows are claimed with FOR UPDATE SKIP LOCKED, so several servers never send one twice.
func (s *Store) DeliverNotificationEmails(ctx context.Context, m Mailer, baseURL string, limit int) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	var (
		sent    int
		sendErr error
	)
	run := func(tx *gorm.DB) error {
		var ns []Notification
		q := tx.Where("emailed_at IS NULL").Order("id").Limit(limit)
		if s.IsPostgres() {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
		}
		if err := q.Find(&ns).Error; err != nil {
			return err
		}
		now := s.now()
		for _, n := range ns {
			if now.Sub(n.CreatedAt) <= MailMaxAge {
				var to []string
				users := tx.Model(&User{}).Where("org_id = ? AND disabled_at IS NULL", n.OrgID)
				if n.UserID != nil {
					users = users.Where("id = ?", *n.UserID)
				}
				if err := users.Order("id").Pluck("email", &to).Error; err != nil {
					return err
				}
				if len(to) > 0 {
					body := n.Body
					if n.Link != "" {
						body = strings.TrimSpace(body + "\n\n" + strings.TrimRight(baseURL, "/") + n.Link)
					}
					if err := m.Send(ctx, Mail{To: to, Subject: n.Subject, Body: body}); err != nil {
						if sendErr == nil {
							sendErr = fmt.Errorf("market: e-mail notification %d: %w", n.ID, err)
						}
						continue
					}
					sent++
				}
			}
			if err := tx.Model(&Notification{}).Where("id = ?", n.ID).Update("emailed_at", now).Error; err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if s.IsPostgres() {
		err = s.Tx(ctx, run)
	} else {
		// SQLite has one connection: sending outside a transaction keeps the writer free meanwhile.
		err = run(s.db.WithContext(ctx))
	}
	if err != nil {
		return sent, fmt.Errorf("market: deliver notification e-mails: %w", err)
	}
	return sent, sendErr
}
