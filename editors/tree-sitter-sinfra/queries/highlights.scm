; Highlights for sinfra. Capture names follow the nvim-treesitter conventions;
; Helix and Zed fall back along the dots (`keyword.conditional` → `keyword`).
;
; When several patterns capture one node, the LAST one wins (Neovim, Zed,
; Helix 25.07+ and the tree-sitter CLI): general patterns come first, specific
; ones after them.

; ---------------------------------------------------------------------------
; Names in general
; ---------------------------------------------------------------------------

(identifier) @variable

; Inside bodies, `tier`, `region`, `stack` and `name` are the current stack's
; tier, region and stack and the item's DNS name.
((identifier) @variable.builtin
  (#any-of? @variable.builtin "tier" "region" "stack" "name"))

; ---------------------------------------------------------------------------
; Operators and punctuation
; ---------------------------------------------------------------------------

[
  "??" "||" "&&" "==" "!=" "<" "<=" ">" ">=" "+" "-" "*" "/" "%" "!"
  "=" "=>" "->" "?" "|"
] @operator

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," ";" ":" "."] @punctuation.delimiter

; ---------------------------------------------------------------------------
; Keywords (the contextual ones are keywords only where the grammar makes
; them so: `tier` in `tier prod` is a keyword, in `tier = prod` a name)
; ---------------------------------------------------------------------------

[
  "platform"
  "tier"
  "region"
  "stack"
  "let"
  "schema"
  "type"
  "extends"
  "where"
  "resource"
  "service"
  "policy"
  "check"
] @keyword

"import" @keyword.import
"fn" @keyword.function
["if" "then" "else" "match"] @keyword.conditional
["for" "in"] @keyword.repeat
(modifier) @keyword.modifier

; ---------------------------------------------------------------------------
; Literals
; ---------------------------------------------------------------------------

(integer) @number
(float) @number.float
(unit_literal) @number

[(true) (false)] @boolean
(none) @constant.builtin
(self) @variable.builtin
(super_field "super" @variable.builtin)
(super_field field: (identifier) @variable.member)

(string) @string
(escape_sequence) @string.escape
(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)

; ---------------------------------------------------------------------------
; Types
; ---------------------------------------------------------------------------

(type_name name: (type_identifier) @type)
((type_name name: (type_identifier) @type.builtin)
  (#any-of? @type.builtin
    "Int" "Float" "Bool" "String" "Quantity" "Cores" "Bytes" "Duration" "Percent"
    "Secret" "Tier" "Region" "Stack" "Any"))
(type_name module: (identifier) @module)

; ---------------------------------------------------------------------------
; Declarations: what an item or member declares
; ---------------------------------------------------------------------------

(import_declaration path: (module_path (identifier) @module))

(function_declaration name: (identifier) @function)
(parameter name: (identifier) @variable.parameter)

(schema_declaration name: (identifier) @type.definition)
(type_declaration name: (identifier) @type.definition)

(tier_declaration name: (identifier) @constant)
(region_declaration name: (identifier) @constant)
(stack_declaration name: (identifier) @constant)

(resource_declaration name: (identifier) @variable)
(service_declaration name: (identifier) @variable)
(policy_declaration name: (identifier) @variable)
(let_declaration name: (identifier) @variable)
(let_expression name: (identifier) @variable)
(for_clause variable: (identifier) @variable)

(field_declaration name: (identifier) @property)
(assignment name: (identifier) @property)
(record_entry key: (identifier) @property)
(record_entry key: (string) @property)

(attribute "@" @attribute (identifier) @attribute)

; Tiers and stacks after `@`, and tiers, regions and stacks matched by name.
(selector "@" @punctuation.special target: (identifier) @constant)
(instance_expression "@" @punctuation.special target: (identifier) @constant)
(match_arm pattern: (identifier) @constant)
(wildcard) @character.special

; ---------------------------------------------------------------------------
; Calls and field access
; ---------------------------------------------------------------------------

(field_expression field: (identifier) @variable.member)

(call_expression function: (identifier) @function.call)
(call_expression function: (field_expression field: (identifier) @function.call))
((call_expression function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "image" "secret" "len" "keys" "values" "contains" "join" "lower" "upper"
    "replace" "starts_with" "ends_with" "split" "range" "merge" "is_dns_label"
    "is_dns_subdomain" "is_image_ref" "is_pinned" "is_secret" "to_string"
    "millis" "seconds"))

; ---------------------------------------------------------------------------
; Comments
; ---------------------------------------------------------------------------

(comment) @comment
(doc_comment) @comment.documentation
(inner_doc_comment) @comment.documentation
