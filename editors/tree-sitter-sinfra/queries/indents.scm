; Indentation: one level inside {…}, […] and (…). Capture names follow Helix
; (`@indent` / `@outdent`) and nvim-treesitter (`@indent.begin` / `@indent.end`
; / `@indent.branch`).

[
  (body)
  (record)
  (map_comprehension)
  (match_expression)
  (list)
  (list_comprehension)
  (arguments)
  (parameters)
  (parenthesized_expression)
  (map_type)
] @indent @indent.begin

[
  "}"
  "]"
  ")"
] @outdent @indent.branch @indent.end

(comment) @indent.auto
(string) @indent.ignore
