package stats

// Rate is a percentage with its numerator and denominator (docs/openapi.yaml): the
// value is rounded half-up to 2 decimals with integer arithmetic, and there
// is none when the denominator is 0.
type Rate struct {
	Numerator   int64
	Denominator int64
}

// NewRate returns numerator / denominator as a Rate.
func NewRate(numerator, denominator int64) Rate {
	return Rate{Numerator: numerator, Denominator: denominator}
}

// Hundredths returns the percentage in hundredths of a percent (9997 for
// 99.97 %), rounded half-up (half away from zero for negative ratios); ok is
// false when the denominator is 0.
func (r Rate) Hundredths() (h int64, ok bool) {
	return roundDiv(r.Numerator*10000, r.Denominator)
}

// Value returns the percentage rounded half-up to 2 decimals, or nil when the
// denominator is 0.
func (r Rate) Value() *float64 {
	h, ok := r.Hundredths()
	if !ok {
		return nil
	}
	v := float64(h) / 100
	return &v
}

// Average is a mean of integer scores.
type Average struct {
	Sum   int64
	Count int64
}

// Hundredths returns the mean in hundredths (412 for 4.12), rounded half-up;
// ok is false when Count is 0.
func (a Average) Hundredths() (int64, bool) {
	return roundDiv(a.Sum*100, a.Count)
}

// Value returns the mean rounded half-up to 2 decimals, or nil when Count is 0.
func (a Average) Value() *float64 {
	h, ok := a.Hundredths()
	if !ok {
		return nil
	}
	v := float64(h) / 100
	return &v
}

// roundDiv returns n/d rounded half away from zero (half-up for the
// non-negative counts of a report); ok is false when d is 0.
func roundDiv(n, d int64) (int64, bool) {
	if d == 0 {
		return 0, false
	}
	neg := (n < 0) != (d < 0)
	if n < 0 {
		n = -n
	}
	if d < 0 {
		d = -d
	}
	q, rem := n/d, n%d
	if 2*rem >= d {
		q++
	}
	if neg {
		q = -q
	}
	return q, true
}
