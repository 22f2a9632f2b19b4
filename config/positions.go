package config

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// walkNode records the line of every mapping key and sequence item under node.
func walkNode(node ast.Node, prefix string, m positionMap) {
	switch n := node.(type) {
	case *ast.MappingNode:
		for _, v := range n.Values {
			walkNode(v, prefix, m)
		}
	case *ast.MappingValueNode:
		key := n.Key.String()
		if len(key) >= 2 && (key[0] == '"' || key[0] == '\'') {
			key = key[1 : len(key)-1]
		}
		path := key
		if prefix != "" {
			path = prefix + "." + key
		}
		if tok := n.Key.GetToken(); tok != nil && tok.Position != nil {
			m[path] = tok.Position.Line
		}
		walkNode(n.Value, path, m)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			path := fmt.Sprintf("%s[%d]", prefix, i)
			if tok := v.GetToken(); tok != nil && tok.Position != nil {
				m[path] = tok.Position.Line
			}
			walkNode(v, path, m)
		}
	case *ast.TagNode:
		walkNode(n.Value, prefix, m)
	case *ast.AnchorNode:
		walkNode(n.Value, prefix, m)
	}
}
