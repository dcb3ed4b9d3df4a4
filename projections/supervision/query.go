package supervision

import (
	"context"
	"encoding/json"

	"github.com/caseledger/caseledger/projections"
)

// Warnings lists, once the projection reached minPosition, the warned items
// of region (see ListWarnings).
func Warnings(ctx context.Context, r *projections.Runner, region, department string, minPosition uint64) ([]Warning, error) {
	var out []Warning
	err := r.Read(ctx, Name, minPosition, func(v *projections.View) (err error) {
		out, err = ListWarnings(v, region, department)
		return err
	})
	return out, err
}

// OpenDubans lists, once the projection reached minPosition, the open 督办
// of region (see ListOpenDubans).
func OpenDubans(ctx context.Context, r *projections.Runner, region string, minPosition uint64) ([]Duban, error) {
	var out []Duban
	err := r.Read(ctx, Name, minPosition, func(v *projections.View) (err error) {
		out, err = ListOpenDubans(v, region)
		return err
	})
	return out, err
}

// ListWarnings lists the warned items of region in a view of this model (a
// runner's, or a projections.Replay copy's for an earlier moment), of one
// department or of all when department is empty, ordered by department, case
// and item.
func ListWarnings(v *projections.View, region, department string) ([]Warning, error) {
	prefix := append(key("w", region), 0)
	if department != "" {
		prefix = append(key("w", region, department), 0)
	}
	return list[Warning](v, prefix)
}

// ListOpenDubans lists the open 督办 of region in a view of this model,
// ordered by case and ID.
func ListOpenDubans(v *projections.View, region string) ([]Duban, error) {
	return list[Duban](v, append(key("d", region), 0))
}

func list[T any](v *projections.View, prefix []byte) ([]T, error) {
	var out []T
	err := v.Scan(prefix, func(_, b []byte) error {
		var x T
		if err := json.Unmarshal(b, &x); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}
