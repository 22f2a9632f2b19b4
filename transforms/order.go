package transforms

import (
	"fmt"
	"sort"
	"strings"

	"github.com/socrx/socrx/transforms/model"
)

// order sorts the models so that each comes after every model it reads (Kahn's
// algorithm). Among the models ready at once the first by name goes first, so the
// order depends on the declarations alone, never on how the models were listed. A read
// must name a model, a relation a Go model creates, or one of given (core and
// parameter tables); a name defined twice, a read of nothing, and a cycle are errors.
func order(models []model.Model, given []string) ([]model.Model, error) {
	owner := map[string]int{} // relation → index of the model that defines it
	for _, g := range given {
		owner[g] = -1
	}
	for i, m := range models {
		for _, name := range append([]string{m.Name}, m.Creates...) {
			if j, dup := owner[name]; dup {
				if j < 0 {
					return nil, fmt.Errorf("model %s defines %s, a core or parameter table", m.Name, name)
				}
				return nil, fmt.Errorf("%s is defined by both %s and %s", name, models[j].Name, m.Name)
			}
			owner[name] = i
		}
	}
	// edges: each model's predecessors, by index
	waiting := make([]int, len(models)) // unbuilt predecessors per model
	next := make([][]int, len(models))  // models reading each model
	for i, m := range models {
		seen := map[int]bool{}
		for _, r := range m.Reads {
			j, ok := owner[r]
			switch {
			case !ok:
				return nil, fmt.Errorf("model %s reads %s, which no model defines", m.Name, r)
			case j < 0 || j == i || seen[j]:
				continue
			}
			seen[j] = true
			waiting[i]++
			next[j] = append(next[j], i)
		}
	}
	var ready []int
	for i := range models {
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	out := make([]model.Model, 0, len(models))
	for len(ready) > 0 {
		sort.Slice(ready, func(a, b int) bool { return models[ready[a]].Name < models[ready[b]].Name })
		i := ready[0]
		ready = ready[1:]
		out = append(out, models[i])
		for _, k := range next[i] {
			if waiting[k]--; waiting[k] == 0 {
				ready = append(ready, k)
			}
		}
	}
	if len(out) < len(models) {
		return nil, fmt.Errorf("models read each other in a cycle: %s", cycle(models, owner, waiting))
	}
	return out, nil
}

// cycle names one cycle among the models left unbuilt (waiting > 0), for the error.
func cycle(models []model.Model, owner map[string]int, waiting []int) string {
	start := -1
	for i := range models {
		if waiting[i] > 0 {
			start = i
			break
		}
	}
	// walk back through unbuilt predecessors until a model repeats
	pos := map[int]int{}
	var path []int
	for i := start; ; {
		if p, again := pos[i]; again {
			path = path[p:]
			break
		}
		pos[i] = len(path)
		path = append(path, i)
		for _, r := range models[i].Reads {
			if j := owner[r]; j >= 0 && j != i && waiting[j] > 0 {
				i = j
				break
			}
		}
	}
	// in the direction data flows, from the first name
	names := make([]string, 0, len(path)+1)
	for k := len(path) - 1; k >= 0; k-- {
		names = append(names, models[path[k]].Name)
	}
	first := 0
	for k, n := range names {
		if n < names[first] {
			first = k
		}
	}
	names = append(names[first:], names[:first]...)
	return strings.Join(append(names, names[0]), " → ")
}

// inFinish says, for each model in build order, whether it is built by Finish: a
// persistent table, or anything that reads one. The rest are temp relations over the core
// tables, built by Prepare before the transaction opens.
func inFinish(ordered []model.Model) map[string]bool {
	finish := map[string]bool{}
	for _, m := range ordered {
		f := m.Kind == model.Table
		for _, r := range m.Reads {
			f = f || finish[r]
		}
		for _, name := range append([]string{m.Name}, m.Creates...) {
			finish[name] = f
		}
	}
	return finish
}
