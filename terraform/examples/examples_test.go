// Package examples checks the cloud examples statically: their providers
// cannot be downloaded here, so they are parsed with HCL and checked
// against the modules they call (tofu fmt -check runs in test.sh).
package examples

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// config is what the checks need of a directory of .tf files.
type config struct {
	blocks    []*hclsyntax.Block
	variables map[string]bool
	outputs   map[string]bool
	traversal []hcl.Traversal
}

func load(t *testing.T, dir string) config {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no .tf files (%v)", dir, err)
	}
	p := hclparse.NewParser()
	c := config{variables: map[string]bool{}, outputs: map[string]bool{}}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, diags := p.ParseHCL(src, f)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", f, diags.Error())
		}
		body := file.Body.(*hclsyntax.Body)
		hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			if e, ok := n.(hclsyntax.Expression); ok {
				c.traversal = append(c.traversal, e.Variables()...)
			}
			return nil
		})
		for _, b := range body.Blocks {
			c.blocks = append(c.blocks, b)
			switch {
			case b.Type == "variable" && len(b.Labels) == 1:
				c.variables[b.Labels[0]] = true
			case b.Type == "output" && len(b.Labels) == 1:
				c.outputs[b.Labels[0]] = true
			}
		}
	}
	return c
}

func (c config) block(typ string, labels ...string) *hclsyntax.Block {
	for _, b := range c.blocks {
		if b.Type == typ && slices.Equal(b.Labels, labels) {
			return b
		}
	}
	return nil
}

// TestAWSCollectorExample parses the AWS example and checks that it calls
// the collector module with inputs the module declares, reads only outputs
// the module has, declares every variable it uses, and has the pieces of
// a collector host: instance, data volume and its attachment, and a
// security group with ingress rules fed by the module's firewall rules.
func TestAWSCollectorExample(t *testing.T) {
	ex := load(t, "aws-collector")
	mod := load(t, filepath.Join("..", "modules", "collector"))

	call := ex.block("module", "collector")
	if call == nil {
		t.Fatal(`module "collector" not found`)
	}
	src, ok := call.Body.Attributes["source"]
	if !ok {
		t.Fatal(`module "collector" has no source`)
	}
	v, diags := src.Expr.Value(nil)
	if diags.HasErrors() || v.AsString() != "../../modules/collector" {
		t.Fatalf("module source: got %#v, want ../../modules/collector", v)
	}
	for name := range call.Body.Attributes {
		if name != "source" && !mod.variables[name] {
			t.Errorf("module input %q: the collector module has no such variable", name)
		}
	}

	for _, tr := range ex.traversal {
		parts := traversalNames(tr)
		switch {
		case len(parts) >= 3 && parts[0] == "module" && parts[1] == "collector":
			if !mod.outputs[parts[2]] {
				t.Errorf("module.collector.%s: the collector module has no such output", parts[2])
			}
		case len(parts) >= 2 && parts[0] == "var":
			if !ex.variables[parts[1]] {
				t.Errorf("var.%s is used but not declared", parts[1])
			}
		}
	}

	for _, want := range [][]string{
		{"resource", "aws_instance", "collector"},
		{"resource", "aws_security_group", "collector"},
		{"resource", "aws_vpc_security_group_ingress_rule", "sensors"},
		{"resource", "aws_ebs_volume", "data"},
		{"resource", "aws_volume_attachment", "data"},
	} {
		if ex.block(want[0], want[1:]...) == nil {
			t.Errorf("%s not found", strings.Join(want, " "))
		}
	}
	inst := ex.block("resource", "aws_instance", "collector")
	if inst != nil && !refersTo(inst.Body.Attributes["user_data"], "module", "collector", "cloud_init") {
		t.Error("aws_instance.collector's user_data is not module.collector.cloud_init")
	}
	rule := ex.block("resource", "aws_vpc_security_group_ingress_rule", "sensors")
	if rule != nil && !refersTo(rule.Body.Attributes["for_each"], "module", "collector", "firewall_rules") {
		t.Error("the sensors' ingress rules do not follow module.collector.firewall_rules (HTTPS and UDP)")
	}
}

func traversalNames(tr hcl.Traversal) []string {
	var out []string
	for _, s := range tr {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			out = append(out, s.Name)
		case hcl.TraverseAttr:
			out = append(out, s.Name)
		default:
			return out
		}
	}
	return out
}

// refersTo reports whether attr's expression reads the named path.
func refersTo(attr *hclsyntax.Attribute, path ...string) bool {
	if attr == nil {
		return false
	}
	for _, tr := range attr.Expr.Variables() {
		if names := traversalNames(tr); len(names) >= len(path) && slices.Equal(names[:len(path)], path) {
			return true
		}
	}
	return false
}
