package market

// Changing one's own password.

import (
	"context"
	"fmt"
	"strconv"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"
)

// Field names of the password form.
const (
	FieldCurrentPassword = "password.current"
	FieldNewPassword     = "password.new"
)

// ChangePassword sets the actor's password after checking the current one, with the same rules as at
// registration. Every other session of the user ends (keepSession is the token of the session asking,
// which stays logged in; "" ends them all) and every API token is revoked: a token made with the old
// password must not outlive it (docs/rules.md §2). Attempts are
// rate-limited per user like logins, so a left-open session cannot be used to guess the password.
func (s *Store) ChangePassword(ctx context.Context, actor Actor, keepSession, current, next string) error {
	if actor.Anonymous() {
		return ErrUnauth
	}
	key := "password:" + strconv.FormatInt(actor.UserID, 10)
	err := s.AllowAttempt(ctx, key, LoginMaxAttempts, LoginWindow)
	if err != nil {
		return err
	}
	var u User
	if err := s.db.WithContext(ctx).Where("id = ?", actor.UserID).Limit(1).Find(&u).Error; err != nil {
		return fmt.Errorf("market: change password: %w", err)
	}
	if u.ID == 0 || u.DisabledAt != nil {
		return ErrForbidden
	}
	var errs Errors
	match := false
	if len(current) <= maxPasswordBytes {
		if match, err = argon2id.ComparePasswordAndHash(current, u.PasswordHash); err != nil {
			return fmt.Errorf("market: check password of user %d: %w", u.ID, err)
		}
	}
	if !match {
		errs = append(errs, NewFieldError(FieldCurrentPassword, "wrong", "当前密码不正确", "the current password is wrong"))
	}
	for _, e := range checkPassword(next, u.Email) {
		errs = append(errs, NewFieldError(FieldNewPassword, e.Code, e.MessageZH, e.MessageEN))
	}
	if match && next == current {
		errs = append(errs, NewFieldError(FieldNewPassword, "unchanged", "新密码不能与当前密码相同", "the new password must differ from the current one"))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	hash, err := argon2id.CreateHash(next, PasswordParams)
	if err != nil {
		return fmt.Errorf("market: hash password: %w", err)
	}
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("password_hash", hash).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ? AND id <> ?", u.ID, tokenHash(keepSession)).Delete(&Session{}).Error; err != nil {
			return err
		}
		return revokeUserTokens(tx, u.ID, s.now())
	})
	if err != nil {
		return fmt.Errorf("market: change password of user %d: %w", u.ID, err)
	}
	return s.ResetAttempts(ctx, key)
}
