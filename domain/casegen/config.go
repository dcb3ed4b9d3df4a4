package casegen

import (
	"errors"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// Config sizes and shapes a generated history. Rates are probabilities in
// [0, 1]; each names the population it applies to, so a test (or an analyst)
// can check the generated mix against it.
type Config struct {
	Seed int64
	// Cases is the number of cases submitted in the window: the size flag.
	Cases int
	// MaxEvents, when positive, stops the history at the last append that
	// keeps the total number of events within it.
	MaxEvents int
	// From and To bound the submission window, as China dates: cases are
	// submitted on the working days of [DateOf(From), DateOf(To)), and
	// nothing happens at or after To, so cases submitted near the end are
	// still open.
	From, To time.Time
	// Regions are the 6 or 9 digit 行政区划代码 cases are spread over,
	// evenly.
	Regions []string
	// Catalogue, Calendar and Policy are what domain.Decide is given; nil
	// means the shipped catalogue and calendar.
	Catalogue *catalogue.Catalogue
	Calendar  *workday.Calendar
	Policy    domain.Policy
	// SlowDepartments are department codes that systematically run late:
	// their items overrun with SlowOverdue instead of Overdue.
	SlowDepartments []string
	Rates           Rates
}

// Rates are the probabilities of the outcomes a history mixes.
type Rates struct {
	// Refusal: of all cases, refused at intake (不予受理).
	Refusal float64
	// Withdrawal: of cases not refused, withdrawn by the applicant before
	// acceptance (撤件).
	Withdrawal float64
	// Tolerance: of the remaining cases whose bundle has minor materials
	// the applicant brings, accepted with tolerance (容缺受理).
	Tolerance float64
	// ToleranceLapse: of tolerant cases, the materials never come and the
	// case is terminated after the committed date.
	ToleranceLapse float64
	// Supplement: of the remaining cases, a one-time supplement notice at
	// intake (一次性告知).
	Supplement float64
	// Abandon: of supplement notices at intake, never answered (the case
	// stays waiting; half of these applicants later withdraw).
	Abandon float64
	// DepartmentSupplement: of cases accepted without an intake notice, a
	// department asks for a correction (补正) while its item runs.
	DepartmentSupplement float64
	// ItemWithdrawal: of accepted cases with more than one item, the
	// applicant withdraws one item not yet started.
	ItemWithdrawal float64
	// Special: of items with a limit of 5 working days or more, a special
	// procedure (实地核查, 检测, 专家评审...) pauses the clock.
	Special float64
	// Suspension: of items with a limit, suspended for a while (挂起).
	Suspension float64
	// Extension: of items that may be extended (MaxExtension > 0),
	// extended (延长审批).
	Extension float64
	// Overdue: of items with a limit, of departments not in
	// SlowDepartments, decided after the due date.
	Overdue float64
	// SlowOverdue: the same for items of SlowDepartments.
	SlowOverdue float64
	// Return: of items, the reviewer sends the handling back once (退回).
	Return float64
	// Denial: of items, decided 不予许可 (denied).
	Denial float64
	// Supervision: of overdue warnings, followed by a supervisor's 督办.
	Supervision float64
	// Rating: of completed or refused cases, rated by the applicant.
	Rating float64
	// BadRating: of ratings of cases completed with every item on time,
	// 不满意 or 非常不满意.
	BadRating float64
	// BadRatingLate: of ratings of cases refused or with an overdue item.
	BadRatingLate float64
	// Complaint: of completed cases with every item on time, a complaint.
	Complaint float64
	// ComplaintLate: of completed cases with an overdue item, a complaint.
	ComplaintLate float64
	// Correction: of accepted cases, the window corrects the acceptance
	// record (a mistyped field) afterwards.
	Correction float64
}

// DefaultConfig is 2000 cases submitted over 2025 and the first half of
// 2026 in six regions, with rates in the ranges reported by local 好差评
// and e-supervision bulletins (DOMAIN.md; the exact figures are ours): about
// 70% of finished cases rated, 2-3% of on-time ratings bad (several times
// more after a delay), 15% supplement notices, 5% refusals, 3% withdrawals,
// and three departments (fire, urban management, natural resources) that
// run late a quarter of the time.
func DefaultConfig() Config {
	china := time.FixedZone("UTC+08:00", 8*60*60)
	return Config{
		Seed:            1,
		Cases:           2000,
		From:            time.Date(2025, 1, 1, 0, 0, 0, 0, china),
		To:              time.Date(2026, 7, 1, 0, 0, 0, 0, china),
		Regions:         []string{"440300", "442000", "511800", "370800", "310101", "110105"},
		Policy:          domain.DefaultPolicy(),
		SlowDepartments: []string{"fire", "urban_mgmt", "natural_resources"},
		Rates: Rates{
			Refusal:              0.05,
			Withdrawal:           0.03,
			Tolerance:            0.06,
			ToleranceLapse:       0.10,
			Supplement:           0.15,
			Abandon:              0.08,
			DepartmentSupplement: 0.03,
			ItemWithdrawal:       0.02,
			Special:              0.05,
			Suspension:           0.02,
			Extension:            0.10,
			Overdue:              0.03,
			SlowOverdue:          0.25,
			Return:               0.05,
			Denial:               0.02,
			Supervision:          0.40,
			Rating:               0.70,
			BadRating:            0.025,
			BadRatingLate:        0.20,
			Complaint:            0.005,
			ComplaintLate:        0.08,
			Correction:           0.005,
		},
	}
}

// validate checks c and fills the defaults; it returns the error a caller
// sees from New.
func (c *Config) validate() error {
	var errs []error
	if c.Cases < 0 {
		errs = append(errs, fmt.Errorf("cases %d is negative", c.Cases))
	}
	if c.MaxEvents < 0 {
		errs = append(errs, fmt.Errorf("max events %d is negative", c.MaxEvents))
	}
	if c.Catalogue == nil {
		c.Catalogue = catalogue.Default()
	}
	if c.Calendar == nil {
		c.Calendar = workday.Default()
	}
	if c.Policy == (domain.Policy{}) {
		c.Policy = domain.DefaultPolicy()
	}
	from, to := workday.DateOf(c.From), workday.DateOf(c.To)
	switch {
	case c.From.IsZero() || c.To.IsZero():
		errs = append(errs, errors.New("the window needs From and To"))
	case !from.Before(to):
		errs = append(errs, fmt.Errorf("window %s to %s is empty", from, to))
	case !c.Calendar.Covers(from.Year) || !c.Calendar.Covers(to.Year):
		// Beyond the published schedules every weekday would count as a
		// working day, and the due dates would be wrong.
		errs = append(errs, fmt.Errorf("calendar %s does not cover %d to %d", c.Calendar.Version(), from.Year, to.Year))
	}
	if len(c.Regions) == 0 {
		errs = append(errs, errors.New("at least one region is needed"))
	}
	for _, r := range c.Regions {
		if (len(r) != 6 && len(r) != 9) || !digits(r) {
			errs = append(errs, fmt.Errorf("region %q is not a 6 or 9 digit code", r))
		}
	}
	if len(c.Catalogue.Bundles) == 0 {
		errs = append(errs, errors.New("the catalogue has no bundle"))
	}
	for _, r := range c.Rates.all() {
		if !(r.p >= 0 && r.p <= 1) { // also rejects NaN
			errs = append(errs, fmt.Errorf("rate %s = %v is outside [0, 1]", r.name, r.p))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("casegen: %w", err)
	}
	return nil
}

type namedRate struct {
	name string
	p    float64
}

// all names every rate, in a fixed order, for validation messages.
func (r Rates) all() []namedRate {
	return []namedRate{
		{"refusal", r.Refusal}, {"withdrawal", r.Withdrawal}, {"tolerance", r.Tolerance},
		{"tolerance_lapse", r.ToleranceLapse}, {"supplement", r.Supplement}, {"abandon", r.Abandon},
		{"department_supplement", r.DepartmentSupplement}, {"item_withdrawal", r.ItemWithdrawal},
		{"special", r.Special}, {"suspension", r.Suspension}, {"extension", r.Extension},
		{"overdue", r.Overdue}, {"slow_overdue", r.SlowOverdue}, {"return", r.Return}, {"denial", r.Denial},
		{"supervision", r.Supervision}, {"rating", r.Rating}, {"bad_rating", r.BadRating},
		{"bad_rating_late", r.BadRatingLate}, {"complaint", r.Complaint}, {"complaint_late", r.ComplaintLate},
		{"correction", r.Correction},
	}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
