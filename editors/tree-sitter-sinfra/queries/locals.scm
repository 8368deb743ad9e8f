; Scopes and definitions, for editors that highlight references of locals
; (nvim-treesitter) and for the tree-sitter CLI.

[
  (source_file)
  (function_declaration)
  (body)
  (let_expression)
  (list_comprehension)
  (map_comprehension)
] @local.scope

(parameter name: (identifier) @local.definition.parameter)
(let_declaration name: (identifier) @local.definition.var)
(let_expression name: (identifier) @local.definition.var)
(for_clause variable: (identifier) @local.definition.var)
(field_declaration name: (identifier) @local.definition.field)
(function_declaration name: (identifier) @local.definition.function)

(identifier) @local.reference
