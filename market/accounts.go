package market

// Accounts: organisations registering themselves with their first user, colleagues, staff users, login,
// verification of organisations and SME decisions. Who may do what is decided here, in the service, from
// an Actor; handlers only translate the answers.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// User roles. The role of an organisation's users follows from the organisation's kind (RoleForKind);
// staff roles (bureau, admin, and operators created by staff) come from `patentwall admin create-user`.
const (
	// RoleHolder: users of a university, institute or hospital; they publish their patents.
	RoleHolder = "holder"
	// RoleLicensee: users of an enterprise. Enterprises both take licences and hold patents, so this
	// role signs AND publishes the enterprise's own patents (see Actor.CanPublish).
	RoleLicensee = "licensee"
	// RoleOperator: users of an industry association, district IP office or service agency; once their
	// organisation is verified they verify other organisations and run walls and supermarkets.
	RoleOperator = "operator"
	RoleBureau   = "bureau" // 市知识产权局 staff: verifies, decides SME status, sees every contract
	RoleAdmin    = "admin"  // runs the installation (users); sees no contracts
)

// Roles lists every role.
var Roles = []string{RoleHolder, RoleLicensee, RoleOperator, RoleBureau, RoleAdmin}

// RoleForKind is the role of users of an organisation of the given kind ("" when organisations of that
// kind cannot register themselves: banks and the bureau are set up by staff).
func RoleForKind(kind string) string {
	switch kind {
	case KindUniversity, KindInstitute, KindHospital:
		return RoleHolder
	case KindEnterprise:
		return RoleLicensee
	case KindAssociation, KindDistrictOffice, KindAgency:
		return RoleOperator
	}
	return ""
}

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 10

// maxPasswordBytes bounds the work argon2id does for one request.
const maxPasswordBytes = 1024

// PasswordParams are the argon2id parameters of new hashes (existing hashes carry their own). Tests lower
// them to keep suites fast.
var PasswordParams = argon2id.DefaultParams

// User is one person who logs in. Users are never deleted, only disabled, so history keeps its actors.
type User struct {
	ID           int64      `gorm:"column:id;primaryKey"`
	OrgID        *int64     `gorm:"column:org_id"`
	Email        string     `gorm:"column:email"` // lower-cased
	Name         string     `gorm:"column:name"`
	PasswordHash string     `gorm:"column:password_hash" json:"-"`
	Role         string     `gorm:"column:role"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	DisabledAt   *time.Time `gorm:"column:disabled_at"`
}

func (User) TableName() string { return "users" }

// SMEDecision records the bureau confirming or overriding an organisation's SME status.
type SMEDecision struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	OrgID       int64     `gorm:"column:org_id"`
	IsSME       bool      `gorm:"column:is_sme"`
	ComputedSME bool      `gorm:"column:computed_sme"`
	Standard    string    `gorm:"column:standard"`
	Note        string    `gorm:"column:note"`
	DecidedBy   int64     `gorm:"column:decided_by"`
	DecidedAt   time.Time `gorm:"column:decided_at"`
}

func (SMEDecision) TableName() string { return "sme_decisions" }

// Actor is who performs an action. The zero Actor is an anonymous visitor.
type Actor struct {
	UserID      int64
	OrgID       int64 // 0 for staff without an organisation
	Role        string
	OrgKind     string
	OrgVerified bool
}

// ActorOf describes a logged-in user (org may be nil for staff).
func ActorOf(u *User, org *Organisation) Actor {
	a := Actor{UserID: u.ID, Role: u.Role}
	if org != nil {
		a.OrgID, a.OrgKind, a.OrgVerified = org.ID, org.Kind, org.Verified()
	}
	return a
}

// Anonymous reports whether nobody is logged in.
func (a Actor) Anonymous() bool { return a.UserID == 0 }

// IsBureau reports a bureau user.
func (a Actor) IsBureau() bool { return a.UserID != 0 && a.Role == RoleBureau }

// IsAdmin reports an admin user.
func (a Actor) IsAdmin() bool { return a.UserID != 0 && a.Role == RoleAdmin }

// CanPublish reports whether the actor may publish its organisation's patents: a holder or an
// enterprise user of a verified organisation. Whether a given patent is its own is checked per patent.
func (a Actor) CanPublish() bool { return a.MayPublish() == nil }

// MayPublish is CanPublish with the reason of a refusal: ErrUnauth for a visitor, ErrForbidden for staff
// and users of organisations that hold no patents, ErrOrgUnverified for a user of an organisation not
// verified yet. CreatePatent, UpdatePatent, PublishDeclaration and WithdrawDeclaration check it (and the
// database's current word on the user and organisation) themselves; pages call it to refuse early.
func (a Actor) MayPublish() error {
	switch {
	case a.Anonymous():
		return ErrUnauth
	case a.OrgID == 0 || (a.Role != RoleHolder && a.Role != RoleLicensee):
		return ErrForbidden
	case !a.OrgVerified:
		return ErrOrgUnverified
	}
	return nil
}

// CanSign reports whether the actor may accept open licences: a user of a verified enterprise.
func (a Actor) CanSign() bool {
	return a.UserID != 0 && a.OrgID != 0 && a.OrgVerified && a.Role == RoleLicensee && a.OrgKind == KindEnterprise
}

// CanVerifyOrgs reports whether the actor may verify some organisations: the bureau (any), or an
// operator of a verified district office (organisations of its own district that are not operators;
// see MayVerify). Associations and agencies verify nobody, so trust flows only from the bureau and
// cannot propagate through operators who verify each other (docs/rules.md §3).
func (a Actor) CanVerifyOrgs() bool {
	return a.IsBureau() ||
		(a.UserID != 0 && a.Role == RoleOperator && a.OrgID != 0 && a.OrgVerified && a.OrgKind == KindDistrictOffice)
}

// IsOperatorKind reports the kinds of organisations whose users are operators, and the bureau: only
// the bureau verifies them.
func IsOperatorKind(kind string) bool {
	return kind == KindBureau || RoleForKind(kind) == RoleOperator
}

// MayVerify reports whether the actor, acting for office (its own organisation as the database has
// it now; nil for staff without one), may verify target: the bureau any organisation; an operator of a
// verified district office an organisation of the office's district that is not of an operator kind.
func (a Actor) MayVerify(office, target *Organisation) bool {
	if a.IsBureau() {
		return true
	}
	if !a.CanVerifyOrgs() || office == nil || office.ID != a.OrgID || !office.Verified() || office.Kind != KindDistrictOffice {
		return false
	}
	return office.DistrictCode != "" && target.DistrictCode == office.DistrictCode && !IsOperatorKind(target.Kind)
}

// verifierOffice loads the acting operator's organisation for MayVerify (nil for the bureau).
func (s *Store) verifierOffice(db *gorm.DB, actor Actor) (*Organisation, error) {
	if actor.IsBureau() || actor.OrgID == 0 {
		return nil, nil
	}
	var office Organisation
	if err := db.Where("id = ?", actor.OrgID).Limit(1).Find(&office).Error; err != nil {
		return nil, err
	}
	if office.ID == 0 {
		return nil, nil
	}
	return &office, nil
}

// CanVerifyOrg reports whether the actor may verify org (pages show the verify button only then).
func (s *Store) CanVerifyOrg(ctx context.Context, actor Actor, org *Organisation) (bool, error) {
	if !actor.CanVerifyOrgs() {
		return false, nil
	}
	office, err := s.verifierOffice(s.db.WithContext(ctx), actor)
	if err != nil {
		return false, fmt.Errorf("market: load verifier's organisation: %w", err)
	}
	return actor.MayVerify(office, org), nil
}

// Actor loads the user and organisation and describes them as an actor.
func (s *Store) Actor(ctx context.Context, userID int64) (Actor, error) {
	u, org, err := s.userAndOrg(ctx, s.db.WithContext(ctx), userID)
	if err != nil {
		return Actor{}, err
	}
	return ActorOf(u, org), nil
}

func (s *Store) userAndOrg(ctx context.Context, db *gorm.DB, userID int64) (*User, *Organisation, error) {
	var u User
	if err := db.First(&u, userID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, ErrNotFound
		}
		return nil, nil, fmt.Errorf("market: load user %d: %w", userID, err)
	}
	if u.OrgID == nil {
		return &u, nil, nil
	}
	var o Organisation
	if err := db.First(&o, *u.OrgID).Error; err != nil {
		return nil, nil, fmt.Errorf("market: load organisation of user %d: %w", userID, err)
	}
	return &u, &o, nil
}

// SMEFigures are an enterprise's prior-year figures under the SME standard (中小企业声明函), as typed.
// An empty Industry declares nothing: the organisation is then not an SME.
type SMEFigures struct {
	Industry    string  `json:"industry"` // a key of SMEIndustries()
	Employees   Numeric `json:"employees"`
	RevenueYuan Numeric `json:"revenue_yuan"`
	AssetsYuan  Numeric `json:"assets_yuan"`
	Year        Numeric `json:"year"`
}

// UserInput is a new user.
type UserInput struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// RegisterInput is a registration: an organisation and its first user.
type RegisterInput struct {
	Org  OrgRecord  `json:"org"` // the orgs import fields (docs/interfaces.md §3.2)
	SME  SMEFigures `json:"sme"`
	User UserInput  `json:"user"`
	// AcceptUSCCWarning confirms a USCC whose check characters fail: old, legal codes fail them, so the
	// registrant may insist, and the warning stays on the record for the verifier.
	AcceptUSCCWarning bool `json:"accept_uscc_warning"`
}

// Field names of registration errors: organisation fields as in the orgs import (uscc, name, …);
// the others prefixed with their group.
const (
	FieldUserName       = "user.name"
	FieldUserEmail      = "user.email"
	FieldUserPassword   = "user.password"
	FieldSMEIndustry    = "sme.industry"
	FieldSMEEmployees   = "sme.employees"
	FieldSMERevenueYuan = "sme.revenue_yuan"
	FieldSMEAssetsYuan  = "sme.assets_yuan"
	FieldSMEYear        = "sme.year"
)

// Register creates an unverified organisation and its first user in one transaction. Every problem is
// returned at once as Errors; a failing USCC check character is a FieldError with Warning set unless
// AcceptUSCCWarning.
func (s *Store) Register(ctx context.Context, in RegisterInput) (*Organisation, *User, error) {
	now := s.now()
	org, errs := registrantOrg(in, now)
	role := RoleForKind(org.Kind)
	if role == "" && org.Kind != "" && !hasField(errs, "kind") {
		errs = append(errs, NewFieldError("kind", "kind_not_registrable",
			"该类型的机构不能自行注册，请联系市知识产权局", "organisations of this kind cannot register themselves; contact the bureau"))
	}
	email, uerrs := validateUserInput(in.User)
	errs = append(errs, uerrs...)
	if len(errs) == 0 {
		// Friendly duplicate checks first; the unique indexes below still decide under races.
		if taken, err := s.exists(ctx, &Organisation{}, "uscc = ?", org.USCC); err != nil {
			return nil, nil, fmt.Errorf("market: register %s: %w", org.USCC, err)
		} else if taken {
			errs = append(errs, errUSCCTaken())
		}
		if taken, err := s.exists(ctx, &User{}, "email = ?", email); err != nil {
			return nil, nil, fmt.Errorf("market: register %s: %w", org.USCC, err)
		} else if taken {
			errs = append(errs, errEmailTaken())
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	hash, err := argon2id.CreateHash(in.User.Password, PasswordParams)
	if err != nil {
		return nil, nil, fmt.Errorf("market: hash password: %w", err)
	}
	u := &User{Email: email, Name: strings.TrimSpace(in.User.Name), PasswordHash: hash, Role: role, CreatedAt: now}
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(org).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return Errors{errUSCCTaken()}
			}
			return err
		}
		if err := insertFacts(tx, initialFacts(org, FactSourceRegistration, false, now)); err != nil {
			return err
		}
		u.OrgID = &org.ID
		if err := tx.Create(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return Errors{errEmailTaken()}
			}
			return err
		}
		return nil
	})
	if err != nil {
		if AsFieldErrors(err) != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("market: register %s: %w", org.USCC, err)
	}
	return org, u, nil
}

func hasField(es Errors, field string) bool {
	for _, e := range es {
		if e.Field == field {
			return true
		}
	}
	return false
}

func errUSCCTaken() *FieldError {
	return NewFieldError("uscc", "uscc_taken", "该统一社会信用代码已注册", "an organisation with this USCC is already registered")
}

func errEmailTaken() *FieldError {
	return NewFieldError(FieldUserEmail, "email_taken", "该电子邮箱已注册", "this e-mail address is already registered")
}

func (s *Store) exists(ctx context.Context, model any, where string, args ...any) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(model).Where(where, args...).Limit(1).Count(&n).Error
	return n > 0, err
}

// registrantOrg checks a registrant's organisation with the rules every organisation follows (CheckOrg),
// plus what registration also needs, and builds the row (unverified, not yet saved).
func registrantOrg(in RegisterInput, now time.Time) (*Organisation, Errors) {
	o, errs := CheckOrg(in.Org, DateOf(now), !in.AcceptUSCCWarning)
	o.CreatedAt, o.UpdatedAt = now, now
	o.FactsSource, o.FactsAsOf = "self-declared", DateOf(now)
	if o.Address == "" && !hasField(errs, "address") {
		errs = append(errs, NewFieldError("address", "required", "请填写注册地址", "registered address is required"))
	}
	if o.LegalRep == "" && !hasField(errs, "legal_rep") {
		errs = append(errs, NewFieldError("legal_rep", "required", "请填写法定代表人", "legal representative is required"))
	}
	return o, append(errs, applySMEFigures(o, in.SME, now)...)
}

// applySMEFigures validates the declared SME figures and decides is_sme from the standard table.
func applySMEFigures(o *Organisation, in SMEFigures, now time.Time) Errors {
	ind := strings.TrimSpace(in.Industry)
	if ind == "" {
		return nil
	}
	if o.Kind != "" && o.Kind != KindEnterprise {
		return Errors{NewFieldError(FieldSMEIndustry, "not_enterprise", "只有企业申报中小企业划型数据",
			"only enterprises declare SME figures")}
	}
	var errs Errors
	add := func(fe *FieldError) {
		if fe != nil {
			errs = append(errs, fe)
		}
	}
	if _, ok := smeRuleFor(ind); !ok {
		add(NewFieldError(FieldSMEIndustry, "invalid", "请选择《中小企业划型标准规定》中的行业", "choose an industry of the SME standard"))
	}
	employees, fe := parseCount(FieldSMEEmployees, string(in.Employees))
	add(fe)
	revenue, fe := ParseYuanFen(FieldSMERevenueYuan, string(in.RevenueYuan))
	add(fe)
	assets, fe := ParseYuanFen(FieldSMEAssetsYuan, string(in.AssetsYuan))
	add(fe)
	year, fe := parseCount(FieldSMEYear, string(in.Year))
	add(fe)
	if y := DateOf(now).Year(); fe == nil && (year < 1990 || year > y) {
		add(NewFieldError(FieldSMEYear, "invalid", fmt.Sprintf("请填写数据所属年度（1990–%d）", y),
			fmt.Sprintf("give the year of the figures (1990-%d)", y)))
	}
	o.SMEIndustry, o.SMEEmployees, o.SMERevenueFen, o.SMEAssetsFen, o.SMEYear = ind, int64(employees), revenue, assets, year
	if len(errs) == 0 {
		o.IsSME = ComputeSME(ind, o.SMEEmployees, revenue, assets)
	}
	return errs
}

func validateUserInput(in UserInput) (email string, errs Errors) {
	if strings.TrimSpace(in.Name) == "" {
		errs = append(errs, NewFieldError(FieldUserName, "required", "请填写姓名", "name is required"))
	} else if utf8.RuneCountInString(strings.TrimSpace(in.Name)) > 100 {
		errs = append(errs, NewFieldError(FieldUserName, "too_long", "姓名过长（最多 100 字）", "name is too long (100 characters at most)"))
	} else if fe := CheckText(FieldUserName, "姓名", "name", strings.TrimSpace(in.Name), false); fe != nil {
		errs = append(errs, fe)
	}
	email, ok := plainEmail(in.Email)
	if !ok {
		errs = append(errs, NewFieldError(FieldUserEmail, "invalid", "电子邮箱格式不正确", "not a valid e-mail address"))
	}
	errs = append(errs, checkPassword(in.Password, email)...)
	return email, errs
}

func checkPassword(pw, email string) Errors {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return Errors{NewFieldError(FieldUserPassword, "too_short", fmt.Sprintf("密码至少 %d 个字符", MinPasswordLen),
			fmt.Sprintf("password must have at least %d characters", MinPasswordLen))}
	case len(pw) > maxPasswordBytes:
		return Errors{NewFieldError(FieldUserPassword, "too_long", "密码过长", "password is too long")}
	case email != "" && strings.EqualFold(pw, email):
		return Errors{NewFieldError(FieldUserPassword, "same_as_email", "密码不能与电子邮箱相同", "password must differ from the e-mail address")}
	}
	return nil
}

// plainEmail returns the lower-cased address when s is a bare e-mail address ("a@b.cn", no display name).
func plainEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") || len(s) > 254 {
		return strings.ToLower(s), false
	}
	return strings.ToLower(s), true
}

// AddUser adds a colleague to the actor's organisation, with the organisation's role.
func (s *Store) AddUser(ctx context.Context, actor Actor, in UserInput) (*User, error) {
	if actor.Anonymous() || actor.OrgID == 0 {
		return nil, ErrForbidden
	}
	email, errs := validateUserInput(in)
	if len(errs) > 0 {
		return nil, errs
	}
	hash, err := argon2id.CreateHash(in.Password, PasswordParams)
	if err != nil {
		return nil, fmt.Errorf("market: hash password: %w", err)
	}
	orgID := actor.OrgID
	u := &User{OrgID: &orgID, Email: email, Name: strings.TrimSpace(in.Name), PasswordHash: hash, Role: actor.Role, CreatedAt: s.now()}
	if err := s.db.WithContext(ctx).Create(u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, Errors{errEmailTaken()}
		}
		return nil, fmt.Errorf("market: add user to organisation %d: %w", actor.OrgID, err)
	}
	return u, nil
}

// StaffInput is a staff user created from the command line.
type StaffInput struct {
	Email    string
	Password string
	Name     string // defaults to the e-mail's local part
	Role     string // bureau | admin | operator
	OrgUSCC  string // required for operators (their association, office or agency); optional otherwise
}

// CreateStaffUser creates a bureau, admin or operator user (patentwall admin create-user). A staff
// user's organisation, when given, is marked verified: staff vouch for it by creating the user.
func (s *Store) CreateStaffUser(ctx context.Context, in StaffInput) (*User, error) {
	var errs Errors
	if in.Role != RoleBureau && in.Role != RoleAdmin && in.Role != RoleOperator {
		errs = append(errs, NewFieldError("role", "invalid", "角色应为 bureau、admin 或 operator", "role must be bureau, admin or operator"))
	}
	email, ok := plainEmail(in.Email)
	if !ok {
		errs = append(errs, NewFieldError("email", "invalid", "电子邮箱格式不正确", "not a valid e-mail address"))
	}
	if pe := checkPassword(in.Password, email); len(pe) > 0 {
		pe[0].Field = "password"
		errs = append(errs, pe...)
	}
	var org *Organisation
	if strings.TrimSpace(in.OrgUSCC) != "" {
		uscc, _, err := ValidateUSCC(in.OrgUSCC)
		if err == nil {
			org, err = s.OrgByUSCC(ctx, uscc)
		}
		switch {
		case err != nil && AsFieldErrors(err) == nil:
			return nil, err
		case err != nil:
			errs = append(errs, NewFieldError("org", "not_found", "未找到该统一社会信用代码的机构", "no organisation with this USCC"))
		case in.Role == RoleOperator && RoleForKind(org.Kind) != RoleOperator,
			in.Role == RoleBureau && org.Kind != KindBureau:
			errs = append(errs, NewFieldError("org", "wrong_kind", "该机构的类型与角色不符", "the organisation's kind does not fit the role"))
		}
	} else if in.Role == RoleOperator {
		errs = append(errs, NewFieldError("org", "required", "运营方用户需要指定所属机构", "an operator needs its organisation (--org USCC)"))
	}
	if fe := CheckText("name", "姓名", "name", strings.TrimSpace(in.Name), false); fe != nil {
		errs = append(errs, fe)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	hash, err := argon2id.CreateHash(in.Password, PasswordParams)
	if err != nil {
		return nil, fmt.Errorf("market: hash password: %w", err)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	now := s.now()
	u := &User{Email: email, Name: name, PasswordHash: hash, Role: in.Role, CreatedAt: now}
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		if org != nil {
			u.OrgID = &org.ID
			if org.VerifiedAt == nil {
				if err := tx.Model(org).Updates(map[string]any{"verified_at": now, "updated_at": now}).Error; err != nil {
					return err
				}
			}
		}
		return tx.Create(u).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, Errors{NewFieldError("email", "email_taken", "该电子邮箱已注册", "this e-mail address is already registered")}
	}
	if err != nil {
		return nil, fmt.Errorf("market: create staff user %s: %w", email, err)
	}
	return u, nil
}

// Login failures all look alike, so nobody learns which e-mail addresses exist.
var errInvalidLogin = &FieldError{Field: "password", Code: CodeInvalidLogin,
	MessageZH: "电子邮箱或密码不正确", MessageEN: "wrong e-mail address or password"}

// Login failures allowed per window. LoginMaxAttempts counts per client address and account together
// (WithClientAddr), so failures from one address never lock the account's owner out at another;
// LoginMaxPerAccount, much higher, bounds guessing spread over many addresses (a lock by it lasts at most
// what is left of the window). A limit per address across accounts is the web layer's (web.LoginMaxPerIP).
var (
	LoginMaxAttempts   = 10
	LoginMaxPerAccount = 100
	LoginWindow        = 15 * time.Minute
)

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the client's network address (as the web layer derives it, proxy
// headers only from trusted proxies), by which Authenticate counts login failures. Without it (a CLI
// command, a test) all attempts on an account count as coming from one address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

func clientAddr(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}

// loginAllowed counts one login attempt on email from the context's client address: per address and
// account, then per account. It returns the two keys counted.
func (s *Store) loginAllowed(ctx context.Context, email string) (pairKey, accountKey string, err error) {
	pairKey = "login:" + email + "|" + clientAddr(ctx)
	if err := s.AllowAttempt(ctx, pairKey, LoginMaxAttempts, LoginWindow); err != nil {
		return "", "", err
	}
	accountKey = "login-account:" + email
	if err := s.AllowAttempt(ctx, accountKey, LoginMaxPerAccount, LoginWindow); err != nil {
		return "", "", err
	}
	return pairKey, accountKey, nil
}

var (
	dummyHashOnce sync.Once
	dummyHash     string
)

// Authenticate checks an e-mail and password. Unknown addresses cost the same argon2id work as known
// ones, and every failure gives the same error. Failures are rate-limited across processes per client
// address and account (WithClientAddr) and, with a higher ceiling, per account; a successful login clears
// its address's count and is not counted against the account.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	pairKey, accountKey, err := s.loginAllowed(ctx, email)
	if err != nil {
		return nil, err
	}
	if len(password) > maxPasswordBytes {
		return nil, errInvalidLogin
	}
	var u User
	err = s.db.WithContext(ctx).Where("email = ?", email).Limit(1).Find(&u).Error
	if err != nil {
		return nil, fmt.Errorf("market: authenticate: %w", err)
	}
	if u.ID == 0 {
		dummyHashOnce.Do(func() {
			b := make([]byte, 16)
			rand.Read(b)
			dummyHash, _ = argon2id.CreateHash(hex.EncodeToString(b), PasswordParams)
		})
		argon2id.ComparePasswordAndHash(password, dummyHash)
		return nil, errInvalidLogin
	}
	match, err := argon2id.ComparePasswordAndHash(password, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("market: check password of user %d: %w", u.ID, err)
	}
	if !match {
		return nil, errInvalidLogin
	}
	if u.DisabledAt != nil {
		return nil, ErrAccountDisabled
	}
	if err := s.ResetAttempts(ctx, pairKey); err != nil {
		return nil, err
	}
	if err := s.uncountAttempt(ctx, accountKey); err != nil {
		return nil, err
	}
	return &u, nil
}

// UserByEmail loads a user by e-mail address (any case).
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Limit(1).Find(&u).Error
	if err != nil {
		return nil, fmt.Errorf("market: load user: %w", err)
	}
	if u.ID == 0 {
		return nil, ErrNotFound
	}
	return &u, nil
}

// UserName is who a user is, as shown beside what the user did.
type UserName struct {
	ID          int64
	Name, Email string
}

// UserNames loads the names and e-mail addresses of the users ids, by ID; unknown IDs are left out.
func (s *Store) UserNames(ctx context.Context, ids []int64) (map[int64]UserName, error) {
	out := map[int64]UserName{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []UserName
	if err := s.db.WithContext(ctx).Table("users").Select("id, name, email").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("market: user names: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// OrgUsers lists the users of the actor's organisation (for its own members, the bureau and admins).
func (s *Store) OrgUsers(ctx context.Context, actor Actor, orgID int64) ([]User, error) {
	if !(actor.OrgID == orgID && orgID != 0 && !actor.Anonymous()) && !actor.IsBureau() && !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	var us []User
	err := s.db.WithContext(ctx).Where("org_id = ?", orgID).Order("id").Find(&us).Error
	return us, err
}

// DisableUser stops a user from logging in and ends its sessions and tokens (admins, or a colleague).
func (s *Store) DisableUser(ctx context.Context, actor Actor, userID int64) error {
	return s.Tx(ctx, func(tx *gorm.DB) error {
		var u User
		if err := lockRows(s, tx, clause.LockingStrengthUpdate).First(&u, userID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		sameOrg := u.OrgID != nil && actor.OrgID == *u.OrgID && !actor.Anonymous()
		if !actor.IsAdmin() && !sameOrg {
			return ErrForbidden
		}
		now := s.now()
		if u.DisabledAt == nil {
			if err := tx.Model(&u).Update("disabled_at", now).Error; err != nil {
				return err
			}
		}
		if err := tx.Where("user_id = ?", userID).Delete(&Session{}).Error; err != nil {
			return err
		}
		return revokeUserTokens(tx, userID, now)
	})
}

// VerifyOrg marks an organisation verified: by the bureau, or by an operator of a verified district
// office for an organisation of its district that is not of an operator kind (Actor.MayVerify, checked
// against the office as it is in the transaction). Verifying a verified organisation changes nothing.
func (s *Store) VerifyOrg(ctx context.Context, actor Actor, uscc string) (*Organisation, error) {
	if !actor.CanVerifyOrgs() {
		return nil, ErrForbidden
	}
	canon, _, err := ValidateUSCC(uscc)
	if err != nil {
		return nil, ErrNotFound
	}
	var org Organisation
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockRows(s, tx, clause.LockingStrengthUpdate).Where("uscc = ?", canon).First(&org).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		office, err := s.verifierOffice(tx, actor)
		if err != nil {
			return err
		}
		if !actor.MayVerify(office, &org) {
			return ErrForbidden
		}
		if org.VerifiedAt != nil {
			return nil
		}
		now := s.now()
		uid := actor.UserID
		org.VerifiedAt, org.VerifiedBy, org.UpdatedAt = &now, &uid, now
		return tx.Model(&org).Updates(map[string]any{"verified_at": now, "verified_by": uid, "updated_at": now}).Error
	})
	if err != nil {
		if AsFieldErrors(err) != nil {
			return nil, err
		}
		return nil, fmt.Errorf("market: verify organisation %s: %w", canon, err)
	}
	return &org, nil
}

// UnverifiedOrgs lists the organisations waiting for verification that the actor may verify
// (Actor.MayVerify), oldest first.
func (s *Store) UnverifiedOrgs(ctx context.Context, actor Actor, limit int) ([]Organisation, error) {
	if !actor.CanVerifyOrgs() {
		return nil, ErrForbidden
	}
	if limit <= 0 {
		limit = 100
	}
	db := s.db.WithContext(ctx)
	q := db.Where("verified_at IS NULL")
	if !actor.IsBureau() {
		office, err := s.verifierOffice(db, actor)
		if err != nil {
			return nil, fmt.Errorf("market: load verifier's organisation: %w", err)
		}
		if office == nil || !office.Verified() || office.Kind != KindDistrictOffice || office.DistrictCode == "" {
			return nil, nil
		}
		var operatorKinds []string
		for _, k := range OrgKinds {
			if IsOperatorKind(k) {
				operatorKinds = append(operatorKinds, k)
			}
		}
		q = q.Where("district_code = ? AND kind NOT IN ?", office.DistrictCode, operatorKinds)
	}
	var out []Organisation
	err := q.Order("created_at, id").Limit(limit).Find(&out).Error
	return out, err
}

// SMEDays are the days a bureau SME decision is in force (inclusive; zero = open: from the start, until
// further notice).
type SMEDays struct{ From, To Date }

// ConfirmSME records the bureau's decision on an organisation's SME status: it confirms (isSME equals
// the computed value) or overrides the declared figures. The note says why and is required. The decision
// enters the organisation's fact history for the given days (docs/rules.md §3); days that overlap an
// earlier decision's other days are refused.
func (s *Store) ConfirmSME(ctx context.Context, actor Actor, uscc string, isSME bool, note string, days SMEDays) (*Organisation, error) {
	if !actor.IsBureau() {
		return nil, ErrForbidden
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, Errors{NewFieldError("note", "required", "请说明理由", "give the reason for the decision")}
	}
	if fe := CheckText("note", "理由", "note", note, true); fe != nil {
		return nil, Errors{fe}
	}
	canon, _, err := ValidateUSCC(uscc)
	if err != nil {
		return nil, ErrNotFound
	}
	var org Organisation
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockRows(s, tx, clause.LockingStrengthUpdate).Where("uscc = ?", canon).First(&org).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		now := s.now()
		computed := org.SMEIndustry != "" && ComputeSME(org.SMEIndustry, org.SMEEmployees, org.SMERevenueFen, org.SMEAssetsFen)
		d := SMEDecision{OrgID: org.ID, IsSME: isSME, ComputedSME: computed, Standard: SMEStandardVersion, Note: note,
			DecidedBy: actor.UserID, DecidedAt: now}
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		if err := checkSMEPeriod(tx, org.ID, days.From, days.To); err != nil {
			return err
		}
		by := actor.UserID
		err := insertFacts(tx, []OrgFact{{OrgID: org.ID, Fact: FactSME, Value: boolFact(isSME), ValidFrom: days.From,
			ValidTo: days.To, KnownFrom: DateOf(now), Confirmed: true, Source: FactSourceBureau, ConfirmedBy: &by, Note: note, RecordedAt: now}})
		if err != nil {
			return err
		}
		org.IsSME, org.SMEConfirmed, org.SMENote, org.UpdatedAt = isSME, true, note, now
		return tx.Model(&org).Updates(map[string]any{"is_sme": isSME, "sme_confirmed": true, "sme_note": note, "updated_at": now}).Error
	})
	if err != nil {
		if AsFieldErrors(err) != nil {
			return nil, err
		}
		return nil, fmt.Errorf("market: confirm SME status of %s: %w", canon, err)
	}
	return &org, nil
}

// SMEDecisions lists an organisation's SME decisions, newest first (bureau, or the organisation itself).
func (s *Store) SMEDecisions(ctx context.Context, actor Actor, orgID int64) ([]SMEDecision, error) {
	if !actor.IsBureau() && (actor.Anonymous() || actor.OrgID != orgID) {
		return nil, ErrForbidden
	}
	var ds []SMEDecision
	err := s.db.WithContext(ctx).Where("org_id = ?", orgID).Order("decided_at DESC, id DESC").Find(&ds).Error
	return ds, err
}

// lockRows adds a row lock on Postgres and nothing on SQLite, whose immediate transactions already run
// one writer at a time (GORM's SQLite dialect would drop the clause anyway; being explicit documents it).
func lockRows(s *Store, tx *gorm.DB, strength string) *gorm.DB {
	if s.IsPostgres() {
		return tx.Clauses(clause.Locking{Strength: strength})
	}
	return tx
}

// SME standard (中小企业划型标准规定, 工信部联企业〔2011〕300号), kept as versioned data. NEEDS
// CONFIRMATION (docs/rules.md §3): the figures are from memory, cross-checked only against a garbled copy;
// whether "以下" includes the ceiling itself is not settled (read here as strictly below); and only the
// industries listed are present: enterprises of other industries (construction, transport, real estate,
// …) choose "other" until the bureau confirms their rows. A revised standard gets a new table and version;
// decisions record the version they used.
const SMEStandardVersion = "2011"

// SMERule is one industry's ceilings: an enterprise is an SME when ANY listed figure is below its
// ceiling (0 = figure not used by this industry).
type SMERule struct {
	Industry      string // key stored in organisations.sme_industry
	NameZH        string
	NameEN        string
	MaxEmployees  int64
	MaxRevenueFen int64
	MaxAssetsFen  int64
}

const wanYuan = 10000 * 100 // 1 万元 in fen

var smeStandard2011 = []SMERule{
	{"industrial", "工业", "Industry", 1000, 40000 * wanYuan, 0},
	{"software_it", "软件和信息技术服务业", "Software and IT services", 300, 10000 * wanYuan, 0},
	{"info_transmission", "信息传输业", "Information transmission", 2000, 100000 * wanYuan, 0},
	{"wholesale", "批发业", "Wholesale", 200, 40000 * wanYuan, 0},
	{"retail", "零售业", "Retail", 300, 20000 * wanYuan, 0},
	{"leasing_business", "租赁和商务服务业", "Leasing and business services", 300, 0, 120000 * wanYuan},
	{"other", "其他未列明行业（含科学研究和技术服务业）", "Other industries (incl. scientific research and technical services)", 300, 0, 0},
}

// SMEIndustries lists the industries of the current SME standard in display order (a copy).
func SMEIndustries() []SMERule { return append([]SMERule(nil), smeStandard2011...) }

func smeRuleFor(industry string) (SMERule, bool) {
	for _, r := range smeStandard2011 {
		if r.Industry == industry {
			return r, true
		}
	}
	return SMERule{}, false
}

// ComputeSME applies the SME standard to declared prior-year figures (false for an unknown industry).
func ComputeSME(industry string, employees, revenueFen, assetsFen int64) bool {
	r, ok := smeRuleFor(industry)
	if !ok {
		return false
	}
	return (r.MaxEmployees > 0 && employees < r.MaxEmployees) ||
		(r.MaxRevenueFen > 0 && revenueFen < r.MaxRevenueFen) ||
		(r.MaxAssetsFen > 0 && assetsFen < r.MaxAssetsFen)
}
