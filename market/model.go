package market

import "time"

// Organisation kinds (docs/rules.md §3).
const (
	KindUniversity     = "university"      // 高校
	KindInstitute      = "institute"       // 科研院所
	KindHospital       = "hospital"        // 医院
	KindEnterprise     = "enterprise"      // 企业
	KindAssociation    = "association"     // 行业协会
	KindDistrictOffice = "district_office" // 区知识产权局
	KindAgency         = "agency"          // 服务机构
	KindBank           = "bank"
	KindBureau         = "bureau" // 市知识产权局
)

// OrgKinds lists every organisation kind in display order.
var OrgKinds = []string{KindUniversity, KindInstitute, KindHospital, KindEnterprise, KindAssociation,
	KindDistrictOffice, KindAgency, KindBank, KindBureau}

// IsInstitution reports whether the kind is a university, institute or hospital (the Art. 19 recipients).
func IsInstitution(kind string) bool {
	return kind == KindUniversity || kind == KindInstitute || kind == KindHospital
}

// Organisation is a legal entity on the platform: a patent holder, a licensee, an operator or the bureau.
type Organisation struct {
	ID                int64  `gorm:"column:id;primaryKey"`
	USCC              string `gorm:"column:uscc"` // 统一社会信用代码, canonical
	USCCWarning       string `gorm:"column:uscc_warning"`
	Name              string `gorm:"column:name"`
	Kind              string `gorm:"column:kind"`
	DistrictCode      string `gorm:"column:district_code"` // "" = outside Shanghai
	Address           string `gorm:"column:address"`
	LegalRep          string `gorm:"column:legal_rep"`
	Phone             string `gorm:"column:phone"`
	Email             string `gorm:"column:email"`
	FoundedOn         Date   `gorm:"column:founded_on"`
	IsSME             bool   `gorm:"column:is_sme"`
	SMEConfirmed      bool   `gorm:"column:sme_confirmed"` // confirmed or overridden by staff
	SMEIndustry       string `gorm:"column:sme_industry"`
	SMEEmployees      int64  `gorm:"column:sme_employees"`
	SMERevenueFen     int64  `gorm:"column:sme_revenue_fen"`
	SMEAssetsFen      int64  `gorm:"column:sme_assets_fen"`
	SMEYear           int    `gorm:"column:sme_year"`
	SMENote           string `gorm:"column:sme_note"`
	OperatingNormally bool   `gorm:"column:operating_normally"` // 存续
	GoodCredit        bool   `gorm:"column:good_credit"`        // not on the abnormal / serious-violation lists
	// Source and date of the eligibility facts (Art. 2), e.g. "import", "bureau:12".
	FactsSource string     `gorm:"column:facts_source"`
	FactsAsOf   Date       `gorm:"column:facts_as_of"`
	VerifiedAt  *time.Time `gorm:"column:verified_at"`
	VerifiedBy  *int64     `gorm:"column:verified_by"`
	CreatedAt   time.Time  `gorm:"column:created_at"`
	UpdatedAt   time.Time  `gorm:"column:updated_at"`

	// FactsFrom (not stored) dates an import's facts: in force from that day, recorded in the fact history
	// even when only their date changed (a correction; docs/rules.md §3). Zero: a change is in force from
	// the day it is recorded.
	FactsFrom Date `gorm:"-"`
}

func (Organisation) TableName() string { return "organisations" }

// Verified reports whether staff verified the organisation (only verified ones publish or sign).
func (o *Organisation) Verified() bool { return o.VerifiedAt != nil }

// InShanghai reports whether the registered address is in one of Shanghai's districts.
func (o *Organisation) InShanghai() bool { return o.DistrictCode != "" }

// Patent statuses.
const (
	StatusGranted     = "granted"
	StatusPending     = "pending"
	StatusLapsed      = "lapsed"
	StatusInvalidated = "invalidated"
)

// Patent is one Chinese patent or application.
type Patent struct {
	ID            int64  `gorm:"column:id;primaryKey"`
	ApplicationNo string `gorm:"column:application_no"` // canonical, e.g. 202010566088.9
	Type          string `gorm:"column:type"`
	Title         string `gorm:"column:title"`
	Abstract      string `gorm:"column:abstract"`
	PatenteeID    int64  `gorm:"column:patentee_id"`
	FilingDate    Date   `gorm:"column:filing_date"`
	GrantDate     Date   `gorm:"column:grant_date"`
	Status        string `gorm:"column:status"`
	Industry      string `gorm:"column:industry"`
	// IPC holds canonical symbols separated by ";", main symbol first.
	IPC string `gorm:"column:ipc"`
	// Encumbrances that forbid an open-licence declaration (docs/rules.md §5).
	FeesUnpaid       bool `gorm:"column:fees_unpaid"`   // includes the 6-month grace period
	UnderDispute     bool `gorm:"column:under_dispute"` // ownership dispute or court preservation
	PledgedNoConsent bool `gorm:"column:pledged_no_consent"`
	// TransferPriceFen > 0 offers the patent for sale (转让) in supermarkets.
	TransferPriceFen int64 `gorm:"column:transfer_price_fen"`
	// NegotiableLicence invites negotiated ordinary licences; OfferedAt is when the patent was first
	// offered (transfer or negotiation; docs/rules.md §10.3).
	NegotiableLicence bool       `gorm:"column:negotiable_licence"`
	OfferedAt         *time.Time `gorm:"column:offered_at"`
	Featured          bool       `gorm:"column:featured"`
	CreatedAt         time.Time  `gorm:"column:created_at"`
	UpdatedAt         time.Time  `gorm:"column:updated_at"`
}

func (Patent) TableName() string { return "patents" }

// Fee models of an open-licence declaration.
const (
	FeeFree             = "free"               // 免费
	FeeLumpSum          = "lump_sum"           // 一次性
	FeeRoyalty          = "royalty"            // 提成
	FeeEntryPlusRoyalty = "entry_plus_royalty" // 入门费+提成
)

// FeeModels lists the fee models in display order.
var FeeModels = []string{FeeFree, FeeLumpSum, FeeRoyalty, FeeEntryPlusRoyalty}

// Declaration statuses.
const (
	DeclLive      = "live"
	DeclWithdrawn = "withdrawn"
	DeclReplaced  = "replaced"
)

// Declaration is an open-licence declaration (开放许可声明): a standing offer to license anyone on the
// posted terms. Rows are never deleted: replacing or withdrawing one keeps it as history.
type Declaration struct {
	ID                 int64      `gorm:"column:id;primaryKey"`
	PatentID           int64      `gorm:"column:patent_id"`
	FeeModel           string     `gorm:"column:fee_model"`
	FeeFen             int64      `gorm:"column:fee_fen"`       // lump sum
	RoyaltyBP          int64      `gorm:"column:royalty_bp"`    // basis points
	RoyaltyBase        string     `gorm:"column:royalty_base"`  // net_sales | profit
	EntryFeeFen        int64      `gorm:"column:entry_fee_fen"` // entry fee of entry_plus_royalty
	TermMonths         int        `gorm:"column:term_months"`
	EvaluationReportNo string     `gorm:"column:evaluation_report_no"` // 专利权评价报告 (utility models, designs)
	Status             string     `gorm:"column:status"`
	Warnings           string     `gorm:"column:warnings"` // soft-ceiling warnings shown with the terms
	PublishedAt        time.Time  `gorm:"column:published_at"`
	WithdrawnAt        *time.Time `gorm:"column:withdrawn_at"`
	CreatedBy          *int64     `gorm:"column:created_by"`
}

func (Declaration) TableName() string { return "declarations" }

// AmountDueFen is what a licensee pays up front to obtain the licence: the lump sum or the entry fee.
// Royalties are paid later on sales and are not part of the acceptance.
func (d *Declaration) AmountDueFen() int64 {
	switch d.FeeModel {
	case FeeLumpSum:
		return d.FeeFen
	case FeeEntryPlusRoyalty:
		return d.EntryFeeFen
	}
	return 0
}

// Contract kinds.
const (
	ContractOpenLicence      = "open_licence"
	ContractOrdinaryLicence  = "ordinary_licence"
	ContractSoleLicence      = "sole_licence"
	ContractExclusiveLicence = "exclusive_licence"
	ContractTransfer         = "transfer"
)

// Contract statuses.
const (
	ContractAwaitingPayment = "awaiting_payment"
	// ContractAwaitingRegistration: a transfer agreed on the platform, effective once registered at
	// CNIPA (docs/rules.md §10.4).
	ContractAwaitingRegistration = "awaiting_registration"
	ContractEffective            = "effective"
	ContractFiled                = "filed"
	ContractTerminated           = "terminated"
	ContractCancelled            = "cancelled"
)

// Contract is a licence or transfer: signed on the platform by accepting a declaration, or imported.
type Contract struct {
	ID             int64   `gorm:"column:id;primaryKey"`
	ContractNo     string  `gorm:"column:contract_no"`
	Kind           string  `gorm:"column:kind"`
	Source         string  `gorm:"column:source"` // platform | import
	DeclarationID  *int64  `gorm:"column:declaration_id"`
	LicensorID     int64   `gorm:"column:licensor_id"`
	LicenseeID     int64   `gorm:"column:licensee_id"`
	Status         string  `gorm:"column:status"`
	AmountDueFen   int64   `gorm:"column:amount_due_fen"`
	FeeFen         int64   `gorm:"column:fee_fen"` // the consideration, for the low_fee flag and records
	TermsJSON      string  `gorm:"column:terms_json"`
	ContentSHA256  string  `gorm:"column:content_sha256"`
	IdempotencyKey *string `gorm:"column:idempotency_key"`
	// LiveKey is "declarationID:licenseeID" while the contract is live and NULL after it ends, so a
	// unique index allows one live contract per (declaration, licensee) on both databases.
	LiveKey           *string    `gorm:"column:live_key"`
	SignedOn          Date       `gorm:"column:signed_on"`
	NoticeDeliveredAt *time.Time `gorm:"column:notice_delivered_at"`
	PaidAt            *time.Time `gorm:"column:paid_at"`
	EffectiveAt       *time.Time `gorm:"column:effective_at"`
	EffectiveOn       Date       `gorm:"column:effective_on"`
	FilingNo          string     `gorm:"column:filing_no"` // 备案号, opaque
	FiledOn           Date       `gorm:"column:filed_on"`
	EndedAt           *time.Time `gorm:"column:ended_at"`
	// Channel is the channel the licensee (buyer) came through (docs/rules.md §10.5); IntentID the
	// intent a negotiated deal concluded; ListedAt when its patent was offered.
	Channel   *string    `gorm:"column:channel"`
	IntentID  *int64     `gorm:"column:intent_id"`
	ListedAt  *time.Time `gorm:"column:listed_at"`
	CreatedAt time.Time  `gorm:"column:created_at"`
	UpdatedAt time.Time  `gorm:"column:updated_at"`
	// terms is TermsJSON decoded, kept by the acceptance that built it so that answering with the new
	// contract does not parse what was just written (Terms).
	terms *ContractTerms
}

func (Contract) TableName() string { return "contracts" }

// ContractPatent links a contract to the patents it covers (imported contracts may cover several).
type ContractPatent struct {
	ContractID int64 `gorm:"column:contract_id;primaryKey"`
	PatentID   int64 `gorm:"column:patent_id;primaryKey"`
}

func (ContractPatent) TableName() string { return "contract_patents" }

// Filing is one line of CNIPA's filing / registration list (备案), imported for reconciliation.
type Filing struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	FilingNo     string    `gorm:"column:filing_no"`
	FiledOn      Date      `gorm:"column:filed_on"`
	Kind         string    `gorm:"column:kind"`
	Patents      string    `gorm:"column:patents"` // canonical application numbers separated by ";"
	LicensorUSCC string    `gorm:"column:licensor_uscc"`
	LicenseeUSCC string    `gorm:"column:licensee_uscc"`
	Status       string    `gorm:"column:status"` // effective | cancelled
	CancelledOn  Date      `gorm:"column:cancelled_on"`
	ImportedAt   time.Time `gorm:"column:imported_at"`
}

func (Filing) TableName() string { return "filings" }

// IPCTitle is one entry of the IPC scheme.
type IPCTitle struct {
	Symbol  string `gorm:"column:symbol;primaryKey"`
	Level   string `gorm:"column:level"` // section | class | subclass | group
	TitleZH string `gorm:"column:title_zh"`
	TitleEN string `gorm:"column:title_en"`
}

func (IPCTitle) TableName() string { return "ipc_titles" }

// OutboxRow asks the search worker to re-index (or delete) one patent. Written in the same transaction
// as the change, so a crash between commit and indexing loses nothing.
type OutboxRow struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	PatentID  int64     `gorm:"column:patent_id"`
	CreatedAt time.Time `gorm:"column:created_at"`
	Attempts  int       `gorm:"column:attempts"`
	LastError string    `gorm:"column:last_error"`
}

func (OutboxRow) TableName() string { return "search_outbox" }

// Meta is a small key-value table for facts about the installation (e.g. the demo was loaded).
type Meta struct {
	Key   string `gorm:"column:key;primaryKey"`
	Value string `gorm:"column:value"`
}

func (Meta) TableName() string { return "meta" }
