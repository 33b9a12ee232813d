package pyre

import (
	"errors"
	"testing"
)

// compileCases record whether CPython 3.11's re.compile accepts a pattern.
var compileCases = []struct {
	pattern string
	ok      bool
}{
	{`a{,}`, true},
	{`a{,3}`, true},
	{`a{}`, true},
	{`x|{2}`, false},
	{`({|%7B)`, true},
	{`[a-z0-9-.]`, true},
	{`C++`, true},
	{`a**`, false},
	{`\q`, false},
	{`[\A]`, false},
	{`a{3,2}`, false},
	{`(?i)a|(?i)b`, false},
	{`(?i)(?m)a`, true},
	{`[]a]`, true},
	{`[^]a]`, true},
	{`(?x) a b # c`, true},
	{`\8`, false},
	{`(a)\1`, true},
	{`[\b]`, true},
	{`(?<=ab)c`, true},
	{`(?<=a|bc)c`, false},
	{`(?P<n>a)(?P=n)`, true},
	{`(?P<n>a)(?P<n>b)`, false},
	{`(a)(?(1)b|c)`, true},
	{`(?>a+)b`, true},
	{`a*+`, true},
	{`a*?+`, false},
	{`[z-a]`, false},
	{`[\d-z]`, false},
	{`[a-\d]`, false},
	{`(?L)a`, false},
	{`(?au)a`, false},
	{`(?i-i:a)`, false},
	{`(?-a:a)`, false},
	{`\x4`, false},
	{`\x41`, true},
	{`\u0041`, true},
	{`\U00110000`, false},
	{`\0123`, true},
	{`\400`, false},
	{`[\400]`, false},
	{`[\8]`, false},
	{`(?#comment)a`, true},
	{`(?#unterminated`, false},
	{`(abc`, false},
	{`abc)`, false},
	{`[abc`, false},
	{`\`, false},
	{`^*`, false},
	{`\b+`, false},
	{`(?=a)*`, true},
	{`(?:)*`, true},
	{`(?P<1a>x)`, false},
	{`(?P=missing)`, false},
	{`(?Px)`, false},
	{`(?z)`, false},
	{`(?i`, false},
	{`(?-)`, false},
	{`(?t:a)`, false},
	{`(?i)x(?s)`, false},
	{`(?i)\$({|%7B)(:|%3A){0,}-\w{0,}|(?i)7Bjndi`, false},
	{`\A\w{1,2}\Z`, true},
	{`Custom C++ HTTP Client/1.0`, true},
	{`(?<=a+)b`, false},
	{`(a)(?<=\1)`, true},
	{`a{4294967295}`, false},
	{`(?P<a>x)(?(a)y|z)`, true},
	{`(?(2)a|b)(c)`, false},
	{`(?(0)a)`, false},
}

func TestCompileAcceptsWhatPythonAccepts(t *testing.T) {
	for _, tt := range compileCases {
		t.Run(tt.pattern, func(t *testing.T) {
			_, err := Compile(tt.pattern, 0)
			if tt.ok && err != nil {
				t.Errorf("Compile(%q) = %v, want success", tt.pattern, err)
			}
			var syn *SyntaxError
			if !tt.ok && !errors.As(err, &syn) {
				t.Errorf("Compile(%q) = %v, want a SyntaxError", tt.pattern, err)
			}
		})
	}
}
