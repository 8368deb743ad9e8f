/**
 * @file tree-sitter grammar for sinfra, the typed configuration language.
 *
 * It follows compiler/syntax/src/lexer.rs (tokens) and parser.rs (grammar);
 * docs/language.md describes the language. The compiler's parser is the
 * reference: where this grammar is more lenient (it accepts `a < b < c`, an
 * interpolated string as a record key), it is for the benefit of editors,
 * which should keep highlighting through code the compiler will reject.
 *
 * @license Apache-2.0
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Expression precedence, tightest last (docs/language.md, "Expressions"):
// `??`, `||`, `&&`, comparisons, `+ -`, `* / %`, unary `! -`, postfix.
//
// `if … then … else`, `let … in` and `match` are atoms in parser.rs, but
// `if` and `let … in` end with a full expression: their last operand extends
// as far to the right as it can (`if c then a else b + 1` adds to `b`). They
// get the lowest precedence, right-associative, so that every operator after
// them is shifted into that last operand rather than applied to the whole.
const PREC = {
  trailing: -1, // if/let…in: the last operand takes the rest
  coalesce: 1, // a ?? b
  or: 2, // a || b
  and: 3, // a && b
  compare: 4, // == != < <= > >=
  additive: 5, // + -
  multiplicative: 6, // * / %
  unary: 7, // -a !a
  postfix: 8, // a.f a[i] a(b) a@tier
  // types
  union: 1, // A | B
  optional: 2, // T?
};

/**
 * One or more `rule`s separated by `sep`.
 * @param {RuleOrLiteral} rule
 * @param {RuleOrLiteral} sep
 */
function sep1(rule, sep) {
  return seq(rule, repeat(seq(sep, rule)));
}

/**
 * Zero or more `rule`s separated by commas, with an optional trailing comma.
 * @param {RuleOrLiteral} rule
 */
function commaSep(rule) {
  return optional(seq(sep1(rule, ','), optional(',')));
}

/**
 * One or more `rule`s separated by commas, with an optional trailing comma.
 * @param {RuleOrLiteral} rule
 */
function commaSep1(rule) {
  return seq(sep1(rule, ','), optional(','));
}

module.exports = grammar({
  name: 'sinfra',

  // `///` and `//!` before `//`: on the same text the earlier token wins, and
  // `////` (a longer match of `//`) stays a plain comment, as in trivia.rs.
  extras: $ => [/[ \t\r\n\f]/, $.doc_comment, $.inner_doc_comment, $.comment],

  // Keywords are lexed as identifiers first. The contextual keywords of the
  // language (`tier`, `region`, `stack`, `type`, `service`, …) are then
  // keywords only where the grammar allows the keyword: `tier = prod` in a
  // stack body and `match tier { … }` keep `tier` an identifier.
  word: $ => $.identifier,

  supertypes: $ => [$._item, $._member, $._expression, $._type],

  rules: {
    source_file: $ => repeat($._item),

    // ------------------------------------------------------------------
    // Items
    // ------------------------------------------------------------------

    _item: $ => choice(
      $.import_declaration,
      $.platform_declaration,
      $.tier_declaration,
      $.region_declaration,
      $.stack_declaration,
      $.let_declaration,
      $.function_declaration,
      $.schema_declaration,
      $.type_declaration,
      $.resource_declaration,
      $.service_declaration,
      $.policy_declaration,
    ),

    // import std.k8s
    import_declaration: $ => seq('import', field('path', $.module_path)),

    module_path: $ => sep1($.identifier, '.'),

    // platform { ops_repo = "…" }
    platform_declaration: $ => seq('platform', field('body', $.body)),

    // [protected] tier prod
    tier_declaration: $ => seq(
      optional($.modifier),
      'tier',
      field('name', $.identifier),
    ),

    // region us = "us-central1"
    region_declaration: $ => seq(
      'region',
      field('name', $.identifier),
      '=',
      field('value', $._expression),
    ),

    // stack prod_us { tier = prod, … }
    stack_declaration: $ => seq('stack', field('name', $.identifier), field('body', $.body)),

    // let x[: T] = e   (an item, or a member of a body)
    let_declaration: $ => seq(
      'let',
      field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      '=',
      field('value', $._expression),
    ),

    // fn f(a: T, b: U) -> R = e
    function_declaration: $ => seq(
      'fn',
      field('name', $.identifier),
      field('parameters', $.parameters),
      '->',
      field('return_type', $._type),
      '=',
      field('body', $._expression),
    ),

    parameters: $ => seq('(', commaSep($.parameter), ')'),

    parameter: $ => seq(field('name', $.identifier), ':', field('type', $._type)),

    // schema S [extends k8s.P] { … }
    schema_declaration: $ => seq(
      'schema',
      field('name', $.identifier),
      optional(seq('extends', field('extends', $.type_name))),
      field('body', $.body),
    ),

    // type T = Type [where cond [else "msg"]]
    type_declaration: $ => seq(
      'type',
      field('name', $.identifier),
      '=',
      field('type', $._type),
      optional($.refinement),
    ),

    refinement: $ => seq(
      'where',
      field('condition', $._expression),
      optional(seq('else', field('message', $._expression))),
    ),

    // [shared] [protected] resource x: Kind [@sel] { … }
    resource_declaration: $ => seq(
      repeat($.modifier),
      'resource',
      field('name', $.identifier),
      ':',
      field('schema', $.type_name),
      optional(field('selector', $.selector)),
      field('body', $.body),
    ),

    // [protected] service x: Schema [@sel | @[a, b]] { … }
    service_declaration: $ => seq(
      repeat($.modifier),
      'service',
      field('name', $.identifier),
      ':',
      field('schema', $.type_name),
      optional(field('selector', $.selector)),
      field('body', $.body),
    ),

    // policy p[: S] [@sel] { check … }
    policy_declaration: $ => seq(
      'policy',
      field('name', $.identifier),
      optional(seq(':', field('schema', $.type_name))),
      optional(field('selector', $.selector)),
      field('body', $.body),
    ),

    modifier: _ => choice('shared', 'protected'),

    // `@prod`, `@[prod_us, staging]`: tiers first, then stacks. The compiler
    // accepts the `@` with or without a space before it.
    selector: $ => seq(
      choice('@', token.immediate('@')),
      choice(
        field('target', $.identifier),
        seq('[', commaSep1(field('target', $.identifier)), ']'),
      ),
    ),

    // ------------------------------------------------------------------
    // Bodies and their members
    // ------------------------------------------------------------------

    // Members may be separated by `,` or `;`, or by nothing at all.
    body: $ => seq('{', repeat(seq($._member, optional(choice(',', ';')))), '}'),

    _member: $ => choice(
      $.assignment,
      $.field_declaration,
      $.let_declaration,
      $.check_statement,
    ),

    // replicas = 3
    assignment: $ => seq(field('name', $.identifier), '=', field('value', $._expression)),

    // [@address] host: DnsName [= default]; a name that is no identifier is quoted: "$ref": String?
    field_declaration: $ => seq(
      repeat($.attribute),
      field('name', choice($.identifier, $.string)),
      ':',
      field('type', $._type),
      optional(seq('=', field('default', $._expression))),
    ),

    // `@address`: the `@` follows a space (an `@` glued to the previous token
    // is the postfix `cache@latest`).
    attribute: $ => seq('@', field('name', $.identifier)),

    // check cond [else "message"]
    check_statement: $ => seq(
      'check',
      field('condition', $._expression),
      optional(seq('else', field('message', $._expression))),
    ),

    // ------------------------------------------------------------------
    // Expressions
    // ------------------------------------------------------------------

    _expression: $ => choice(
      $.binary_expression,
      $.unary_expression,
      $.field_expression,
      $.index_expression,
      $.call_expression,
      $.instance_expression,
      $.if_expression,
      $.let_expression,
      $.match_expression,
      $._primary_expression,
    ),

    _primary_expression: $ => choice(
      $.identifier,
      $.integer,
      $.float,
      $.unit_literal,
      $.string,
      $.true,
      $.false,
      $.none,
      $.self,
      $.super_field,
      $.list,
      $.list_comprehension,
      $.record,
      $.map_comprehension,
      $.parenthesized_expression,
    ),

    binary_expression: $ => {
      /** @type {[number, RuleOrLiteral][]} */
      const table = [
        [PREC.coalesce, '??'],
        [PREC.or, '||'],
        [PREC.and, '&&'],
        // Non-associative in the compiler (`a < b < c` is an error); left here,
        // so that an editor still colours such code.
        [PREC.compare, choice('==', '!=', '<', '<=', '>', '>=')],
        [PREC.additive, choice('+', '-')],
        [PREC.multiplicative, choice('*', '/', '%')],
      ];
      return choice(...table.map(([precedence, operator]) => prec.left(precedence, seq(
        field('left', $._expression),
        field('operator', operator),
        field('right', $._expression),
      ))));
    },

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('-', '!')),
      field('operand', $._expression),
    )),

    // e.field
    field_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      '.',
      field('field', $.identifier),
    )),

    // e[i]
    index_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      '[',
      field('index', $._expression),
      ']',
    )),

    // f(a, b)
    call_expression: $ => prec(PREC.postfix, seq(
      field('function', $._expression),
      field('arguments', $.arguments),
    )),

    arguments: $ => seq('(', commaSep($._expression), ')'),

    // cache@latest: the instance of a resource in another tier or stack. The
    // `@` is glued to the expression before it.
    instance_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      token.immediate('@'),
      field('target', $.identifier),
    )),

    // if c then a else b
    if_expression: $ => prec.right(PREC.trailing, seq(
      'if',
      field('condition', $._expression),
      'then',
      field('consequence', $._expression),
      'else',
      field('alternative', $._expression),
    )),

    // let x = e1 in e2
    let_expression: $ => prec.right(PREC.trailing, seq(
      'let',
      field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      '=',
      field('value', $._expression),
      'in',
      field('body', $._expression),
    )),

    // match e { a | b => x, "lit" => y, _ => z }: arms separated by commas or
    // nothing.
    match_expression: $ => seq(
      'match',
      field('value', $._expression),
      '{',
      repeat(seq($.match_arm, optional(','))),
      '}',
    ),

    match_arm: $ => seq(
      sep1(field('pattern', $._pattern), '|'),
      '=>',
      field('value', $._expression),
    ),

    _pattern: $ => choice(
      $.wildcard,
      $.identifier, // a tier, region or stack
      $.string,
      $.integer,
      $.true,
      $.false,
    ),

    wildcard: _ => '_',

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    // [a, b, c]
    list: $ => seq('[', commaSep($._expression), ']'),

    // [e for x in xs if c]
    list_comprehension: $ => seq(
      '[',
      field('element', $._expression),
      $.for_clause,
      ']',
    ),

    // { a = 1, "any key" = 2 }: records and maps; commas are optional.
    record: $ => seq('{', repeat(seq($.record_entry, optional(','))), '}'),

    record_entry: $ => seq(
      field('key', choice($.identifier, $.string)),
      '=',
      field('value', $._expression),
    ),

    // { [k] = v for k, v in m if c }
    map_comprehension: $ => seq(
      '{',
      '[',
      field('key', $._expression),
      ']',
      '=',
      field('value', $._expression),
      $.for_clause,
      '}',
    ),

    // for x in xs [if c]   /   for k, v in m [if c]
    for_clause: $ => seq(
      'for',
      field('variable', $.identifier),
      optional(seq(',', field('variable', $.identifier))),
      'in',
      field('iterable', $._expression),
      optional(seq('if', field('condition', $._expression))),
    ),

    // ------------------------------------------------------------------
    // Types
    // ------------------------------------------------------------------

    _type: $ => choice(
      $.type_name,
      $.list_type,
      $.map_type,
      $.optional_type,
      $.union_type,
      $.string, // a literal type: "TCP"
      $.parenthesized_type,
    ),

    // Int, k8s.WebService: the module(s), then the type's own name.
    type_name: $ => seq(
      repeat(seq(field('module', $.identifier), '.')),
      field('name', alias($.identifier, $.type_identifier)),
    ),

    list_type: $ => seq('[', field('element', $._type), ']'),

    map_type: $ => seq('{', field('key', $._type), ':', field('value', $._type), '}'),

    optional_type: $ => prec(PREC.optional, seq(field('type', $._type), '?')),

    union_type: $ => prec.left(PREC.union, seq($._type, '|', $._type)),

    parenthesized_type: $ => seq('(', $._type, ')'),

    // ------------------------------------------------------------------
    // Tokens
    // ------------------------------------------------------------------

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    integer: _ => /[0-9][0-9_]*/,

    float: _ => /[0-9][0-9_]*\.[0-9][0-9_]*/,

    // A number glued to a unit: 500m 1Gi 30s 25% 0.5Gi. One token, as in the
    // lexer (`5 % 2` with spaces is a remainder).
    unit_literal: _ => /[0-9][0-9_]*(\.[0-9][0-9_]*)?([A-Za-z]+|%)/,

    true: _ => 'true',
    false: _ => 'false',
    none: _ => 'none',
    self: _ => 'self',
    // `super.field`: the base schema's value of a field (one atom: `super` alone is no value).
    super_field: $ => seq('super', '.', field('field', $.identifier)),

    // "text ${expr} \n": every piece after the opening quote is glued to the
    // one before (token.immediate), so spaces are text and `//` is not a
    // comment; `${ … }` holds an ordinary expression, spaces and all.
    string: $ => seq(
      '"',
      repeat(choice(
        $.string_content,
        $.escape_sequence,
        $.interpolation,
      )),
      token.immediate('"'),
    ),

    // Text up to the next quote, backslash, `$` or end of line (strings do
    // not span lines). A `$` not followed by `{` is text on its own.
    string_content: _ => token.immediate(prec(1, choice(/[^"\\$\n]+/, '$'))),

    escape_sequence: _ => token.immediate(seq(
      '\\',
      choice(/[nrt"\\$]/, /u\{[0-9A-Fa-f]+\}/),
    )),

    interpolation: $ => seq(
      token.immediate(prec(1, '${')),
      field('expression', $._expression),
      '}',
    ),

    doc_comment: _ => token(/\/\/\/([^\/\n][^\n]*)?/),

    inner_doc_comment: _ => token(/\/\/![^\n]*/),

    comment: _ => token(/\/\/[^\n]*/),
  },
});
