// Package optcheck validates Options structs by one rule, the gonum one
// every package of Cardinal documents: a zero field means its default; a
// negative, NaN or infinite number is an error, reported before any work.
//
//	type Options struct {
//		Trees int                 // 0 = default; < 0 is an error
//		Rate  float64 `opt:"max=1"` // also > 1 is an error
//		Seed  int64   `opt:"any"`   // not a magnitude: any value
//	}
//	optcheck.Struct(ErrOptions, "GBDTOptions", opts)
//
// Tags: "any" skips a field, "signed" allows negative finite values
// (documented special meanings), "max=X" bounds it above; tags combine
// with commas (`opt:"signed,max=1"`). Nested structs
// are checked too; other kinds (funcs, pointers, strings) are skipped.
package optcheck

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Struct checks the numeric fields of the struct v (or *v) and returns the
// first bad one as an error wrapping sentinel, naming name.Field.
func Struct(sentinel error, name string, v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		tags := strings.Split(f.Tag.Get("opt"), ",")
		if slices.Contains(tags, "any") {
			continue
		}
		fv := rv.Field(i)
		var x float64
		switch fv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			x = float64(fv.Int())
		case reflect.Float32, reflect.Float64:
			x = fv.Float()
		case reflect.Struct:
			if err := Struct(sentinel, name+"."+f.Name, fv.Interface()); err != nil {
				return err
			}
			continue
		default:
			continue
		}
		bad := ""
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			bad = "must be finite"
		case x < 0 && !slices.Contains(tags, "signed"):
			bad = "must not be negative (0 means the default)"
		}
		for _, tag := range tags {
			if rest, ok := strings.CutPrefix(tag, "max="); ok && bad == "" {
				if m, err := strconv.ParseFloat(rest, 64); err == nil && x > m {
					bad = fmt.Sprintf("must be at most %s", rest)
				}
			}
		}
		if bad != "" {
			return fmt.Errorf("%w: %s.%s = %v %s", sentinel, name, f.Name, fv.Interface(), bad)
		}
	}
	return nil
}
