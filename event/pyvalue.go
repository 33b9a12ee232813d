package event

// Maltrail holds some event columns as Python ints (ports, the trail of a
// PORT event) and others as str; CEF, JSON and repr() show the difference.
// Spoor keeps every column as text, so the type is recovered from the text.

// isPyInt reports whether s is how Python prints a non-negative int:
// decimal digits, no sign, no leading zero.
func isPyInt(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pyValue is a column value with the Python type Maltrail gives it.
type pyValue struct {
	text  string
	isInt bool
}

// portValue is a port column as Maltrail holds it: an int, or the str "-"
// for an event without ports (which Spoor leaves empty).
func portValue(p string) pyValue {
	if p == "" {
		return pyValue{"-", false}
	}
	return pyValue{p, isPyInt(p)}
}

// trailValue is the trail column as Maltrail holds it: an int for a PORT
// event, a str otherwise.
func (e *Event) trailValue() pyValue {
	return pyValue{e.Trail, e.Type == TypePort && isPyInt(e.Trail)}
}
