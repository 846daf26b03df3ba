package optcheck

import (
	"errors"
	"math"
	"testing"
)

var errOpt = errors.New("bad options")

type inner struct{ N int }

type opts struct {
	Trees int
	Rate  float64 `opt:"max=1"`
	Seed  int64   `opt:"any"`
	Huber float64 `opt:"signed"`
	Frac  float64 `opt:"signed,max=1"`
	In    inner
	Fn    func()
	name  int
}

func TestStruct(t *testing.T) {
	good := []opts{{}, {Trees: 5, Rate: 1, Seed: -3, Huber: -1, Frac: -2}, {name: -1}}
	for _, o := range good {
		if err := Struct(errOpt, "opts", o); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	bad := []opts{{Trees: -1}, {Rate: math.NaN()}, {Rate: math.Inf(1)}, {Rate: 1e300}, {Rate: -0.5},
		{Huber: math.Inf(-1)}, {In: inner{N: -2}}, {Frac: 1.5}, {Frac: math.NaN()}}
	for _, o := range bad {
		if err := Struct(errOpt, "opts", &o); !errors.Is(err, errOpt) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if err := Struct(errOpt, "x", (*opts)(nil)); err != nil {
		t.Error(err)
	}
}
