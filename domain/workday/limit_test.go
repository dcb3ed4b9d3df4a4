package workday_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/caseledger/caseledger/domain/workday"
)

func TestLimitValidate(t *testing.T) {
	tests := []struct {
		name  string
		l     workday.Limit
		valid bool
	}{
		{"zero limit means none", workday.Limit{}, true},
		{"working days", workday.Days(20), true},
		{"natural days", workday.Natural(30), true},
		{"zero working days", workday.Days(0), true},
		{"the maximum", workday.Days(workday.MaxLimitValue), true},
		{"negative", workday.Days(-1), false},
		{"too long", workday.Natural(workday.MaxLimitValue + 1), false},
		{"unknown unit", workday.Limit{Value: 5, Unit: "W"}, false},
		{"value without unit", workday.Limit{Value: 5}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			if got := err == nil; got != tt.valid {
				t.Errorf("Validate(%+v) = %v, want valid %v", tt.l, err, tt.valid)
			}
			if err != nil && !errors.Is(err, workday.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestLimitJSONForm(t *testing.T) {
	b, err := json.Marshal(workday.Days(20))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"value":20,"unit":"G"}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var l workday.Limit
	if err := json.Unmarshal([]byte(`{"value":30,"unit":"Z"}`), &l); err != nil {
		t.Fatal(err)
	}
	if got, want := l, workday.Natural(30); got != want {
		t.Errorf("Unmarshal = %+v, want %+v", got, want)
	}
	if got, want := l.String(), "30Z"; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}
}
