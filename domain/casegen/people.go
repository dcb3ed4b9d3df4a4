package casegen

import (
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/caseledger/caseledger/domain"
)

// Staff sizes per region: enough officers that work spreads over several
// people, as a projection by officer would see it.
const (
	windowOfficers     = 6
	departmentOfficers = 3
	supervisors        = 2
)

// watcher is the deadline watcher, the one system actor that issues
// commands; the decider's own automatic events carry its system actor.
func watcher(region string) domain.Actor {
	return domain.Actor{Role: domain.RoleSystem, PersonID: "deadline-watcher", Region: region}
}

// Officer IDs are opaque staff references, as an identity provider would
// issue: role, region, unit and a number, never a name.

func windowOfficer(r *rand.Rand, region string) domain.Actor {
	return domain.Actor{Role: domain.RoleWindow, PersonID: "w-" + region + "-" + strconv.Itoa(1+r.IntN(windowOfficers)),
		Unit: "centre-" + region, Region: region}
}

func departmentOfficer(r *rand.Rand, region, dept string) domain.Actor {
	return departmentStaff(region, dept, r.IntN(departmentOfficers))
}

// departmentTeam returns three different officers of dept: the handler
// (承办), the reviewer (审核) and the approver (批准), as the separation of
// duties in an approval chain requires.
func departmentTeam(r *rand.Rand, region, dept string) [3]domain.Actor {
	first := r.IntN(departmentOfficers)
	var team [3]domain.Actor
	for i := range team {
		team[i] = departmentStaff(region, dept, (first+i)%departmentOfficers)
	}
	return team
}

func departmentStaff(region, dept string, n int) domain.Actor {
	return domain.Actor{Role: domain.RoleDepartment, PersonID: "d-" + region + "-" + dept + "-" + strconv.Itoa(1+n),
		Unit: dept, Region: region}
}

func supervisor(r *rand.Rand, region string) domain.Actor {
	return domain.Actor{Role: domain.RoleSupervisor, PersonID: "s-" + region + "-" + strconv.Itoa(1+r.IntN(supervisors)),
		Region: region}
}

// surnames are common Chinese surnames; a masked name keeps only the first
// character, so this is all of a name that ever appears.
var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"}

// companyPrefixes start the masked names of companies (深圳**公司).
var companyPrefixes = []string{"深", "广", "中", "华", "雅", "济", "上", "北", "东", "新"}

// subject returns an applicant: an opaque random reference and masked
// display values. No clear name or ID number is ever made: the masked ID
// is drawn directly in its masked form, region + stars + 4 characters.
func subject(r *rand.Rand, kind domain.SubjectKind, region string) domain.Subject {
	s := domain.Subject{Ref: domain.SubjectRef("subj-" + randomHex(r, 8)), Kind: kind}
	if kind == domain.Company {
		// 统一社会信用代码: 18 characters; the display mask keeps 6 and 4.
		s.MaskedName = companyPrefixes[r.IntN(len(companyPrefixes))] + strings.Repeat("*", 3+r.IntN(6))
		s.MaskedID = "91" + region[:4] + strings.Repeat("*", 8) + randomCode(r, 4, "0123456789ABCDEFGHJKLMNPQRTUWXY")
		return s
	}
	// 身份证号: 6-digit region, 8-digit birth date, 3-digit sequence and a
	// check character; the mask keeps the region and the last four.
	s.MaskedName = surnames[r.IntN(len(surnames))] + strings.Repeat("*", 1+r.IntN(2))
	s.MaskedID = region[:6] + strings.Repeat("*", 8) + randomCode(r, 3, "0123456789") + randomCode(r, 1, "0123456789X")
	return s
}

func randomHex(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return hex.EncodeToString(b)
}

func randomCode(r *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// pick returns one element of xs at random.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
