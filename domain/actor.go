package domain

import "log/slog"

// Role is what an actor does in the service. The http layer maps token
// claims to a Role; the decider trusts it and checks only what the role may
// do to this case (rules C1 to C3 in case.go).
type Role string

const (
	// RoleApplicant is the applicant or their agent (申请人, 代理人).
	RoleApplicant Role = "applicant"
	// RoleWindow is a window officer of a service centre (综合窗口).
	RoleWindow Role = "window"
	// RoleDepartment is a department officer (部门承办人); Actor.Unit is the
	// department code of the catalogue.
	RoleDepartment Role = "department"
	// RoleSupervisor audits timelines, issues 督办 and handles bad ratings.
	RoleSupervisor Role = "supervisor"
	// RoleSystem is the service itself: the deadline watcher and automatic
	// steps. It never stands for a person.
	RoleSystem Role = "system"
)

// Valid reports whether r is one of the roles above.
func (r Role) Valid() bool {
	switch r {
	case RoleApplicant, RoleWindow, RoleDepartment, RoleSupervisor, RoleSystem:
		return true
	}
	return false
}

// Actor is who acted, recorded on every event. PersonID is opaque (an
// account or subject reference, never a name or an ID number), so events
// stay free of personal data in clear; it is still masked in logs because
// it links a person to their actions.
type Actor struct {
	Role     Role   `json:"role"`
	PersonID string `json:"person_id"`
	// Unit is the department code for department officers, the service
	// centre for window officers, empty otherwise.
	Unit string `json:"unit,omitempty"`
	// Region is the 6 or 9 digit 行政区划代码 the actor works in.
	Region string `json:"region,omitempty"`
}

// LogValue keeps the person out of logs: only a short prefix of the opaque
// ID survives, enough to correlate lines during an incident.
func (a Actor) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("role", string(a.Role)),
		slog.String("person", maskOpaque(a.PersonID)),
		slog.String("unit", a.Unit),
		slog.String("region", a.Region),
	)
}

// maskOpaque keeps the first four characters of an opaque reference.
func maskOpaque(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return "****"
	}
	return string(r[:4]) + "****"
}
