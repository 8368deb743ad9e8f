; Folds: bodies of items, records, lists, match arms and argument lists that
; span several lines.
[
  (body)
  (record)
  (map_comprehension)
  (match_expression)
  (list)
  (list_comprehension)
  (arguments)
  (parameters)
] @fold
