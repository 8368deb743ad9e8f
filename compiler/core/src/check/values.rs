//! Values given where a type is declared (a field, a function's result, an
//! argument, a typed `let`), for [`super::infer`]: each possible result of the
//! value is checked where it is made — type (E0201), quantity dimension
//! (E0203) and record literals against their schema (E0104/E0105).

use super::anchor::{Anchor, AnchoredDiag};
use super::infer::Infer;
use super::types::{STy, fits};
use crate::diagnostics::Code;
use crate::hir::{Body, Expr, ExprId, StrPart};
use crate::signatures::{schema_def, underlying, unknown_field};
use crate::ty::{Dim, Ty};

impl Infer<'_> {
    /// Checks a value given where `declared` is expected (a field, a result, an
    /// argument of the call `call`): reported where each possible result is made
    /// (an operator, a literal, a string), which is where the evaluator reports
    /// the same mismatch, with the expectation's place as a secondary label.
    pub(super) fn check_value(&mut self, value: ExprId, declared: &Ty, call: Option<ExprId>) -> STy {
        let found = self.infer(value);
        let expected = STy::of_declared(self.db, self.project, declared);
        for r in results(self.body, value) {
            let because = call.or((r != value).then_some(value));
            let made = self.body.expr(r);
            if made_here(made) {
                let t = self.out.type_of(r).clone();
                if !fits(&t, &expected) {
                    self.mismatch(r, &t, declared, &expected, because);
                }
            } else if let Expr::Unit { number, unit } = made {
                self.unit_dimension(r, number, unit, declared, because);
            }
        }
        self.records(declared, value);
        found
    }

    /// E0201 (E0203 between units) for a value that can never fit.
    fn mismatch(&mut self, r: ExprId, found: &STy, declared: &Ty, expected: &STy, because: Option<ExprId>) {
        let shown = shown(self.body.expr(r), found);
        let code = if found.has_unit() && expected.has_unit() { Code::InvalidUnit } else { Code::TypeMismatch };
        let ty = declared.display(self.db).to_string();
        let mut d = AnchoredDiag::new(
            code,
            format!("expected `{ty}`, found {shown}"),
            Anchor::Expr(r),
            format!("this is {shown}"),
        );
        if let Some(b) = because {
            d = d.with_label(Anchor::Expr(b), format!("`{ty}` expected because of this"));
        }
        match (expected, found) {
            (STy::Duration, STy::Quantity(_)) => d = d.with_help("durations use `ms`, `s`, `m` or `h`, e.g. `30s`"),
            (STy::Quantity(dim), STy::Quantity(_)) => {
                if let Some(help) = dim.help("") {
                    d = d.with_help(help);
                }
            }
            _ => {}
        }
        self.report(d);
    }

    /// E0203 for a quantity literal of the wrong dimension (`cpu = 4Gi`, `memory = 128m`).
    fn unit_dimension(&mut self, r: ExprId, number: &str, unit: &str, declared: &Ty, because: Option<ExprId>) {
        let Ty::Quantity(expected) = underlying(self.db, self.project, declared, true) else { return };
        if expected == Dim::Any {
            return;
        }
        let Some(found) = Dim::of_unit(unit) else { return };
        if found.join(expected).is_some() {
            return;
        }
        let shown = match declared {
            Ty::Alias(a) => a.name(self.db).clone(),
            _ => expected.type_name().to_string(),
        };
        let text = format!("{number}{unit}");
        let mut d = AnchoredDiag::new(
            Code::InvalidUnit,
            format!("expected `{shown}`, found {} (`{text}`)", found.describe()),
            Anchor::Expr(r),
            format!("this is {} (`{text}`)", found.describe()),
        );
        if let Some(b) = because {
            d = d.with_label(Anchor::Expr(b), format!("`{shown}` expected because of this"));
        }
        if let Some(help) = expected.help(&text) {
            d = d.with_help(help);
        }
        self.report(d);
    }

    /// E0104/E0105 for record literals whose expected type is a schema — in
    /// every possible result, list element and nested record.
    pub(super) fn records(&mut self, ty: &Ty, value: ExprId) {
        let (db, project) = (self.db, self.project);
        let ty = underlying(db, project, ty, true);
        for r in results(self.body, value) {
            match (self.body.expr(r), &ty) {
                (Expr::List(items), Ty::List(inner)) => {
                    for &i in items.iter() {
                        self.records(inner, i);
                    }
                }
                (Expr::Record(entries), Ty::Schema(schema)) => {
                    let def = schema_def(db, project, *schema);
                    for en in entries.iter() {
                        match def.fields.get(en.key.as_str()) {
                            Some(f) => {
                                self.out.entry_fields.insert(en.value, f.decl);
                                self.records(&f.ty, en.value)
                            }
                            None => {
                                let d = unknown_field(db, self.item, def, en.key.as_str(), Default::default());
                                self.report(d.map_locations(|_| Anchor::Key(en.value)));
                            }
                        }
                    }
                    let missing: Vec<String> = def
                        .fields
                        .iter()
                        .filter(|(n, f)| f.required() && !entries.iter().any(|en| en.key.as_str() == n.as_str()))
                        .map(|(n, _)| format!("`{n}`"))
                        .collect();
                    if !missing.is_empty() {
                        let list = missing.join(", ");
                        self.report(
                            AnchoredDiag::new(
                                Code::MissingField,
                                format!("missing required field {list} of `{}`", schema.name(db)),
                                Anchor::Expr(r),
                                "incomplete record",
                            )
                            .with_help(format!("set {list}")),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// The expressions a value can come from: through every arm of a `match`, both
/// branches of an `if`, the body of a `let … in`.
fn results(body: &Body, value: ExprId) -> Vec<ExprId> {
    let mut out = Vec::new();
    let mut work = vec![value];
    while let Some(e) = work.pop() {
        match body.expr(e) {
            Expr::Match(_, arms) => work.extend(arms.iter().map(|a| a.body)),
            Expr::If(_, a, b) => work.extend([*a, *b]),
            Expr::Let { body, .. } => work.push(*body),
            _ => out.push(e),
        }
    }
    out
}

/// Whether a value is made by this expression (an operator, a literal, a
/// string), so that its origin — where the evaluator reports a mismatch — is here.
fn made_here(e: &Expr) -> bool {
    matches!(e, Expr::Binary(..) | Expr::Int(_) | Expr::Float(_) | Expr::Bool(_) | Expr::Str(_))
}

/// A found type for messages, with a literal's value as the evaluator shows it.
fn shown(e: &Expr, t: &STy) -> String {
    match (e, t) {
        (Expr::Str(parts), _) => match &**parts {
            [StrPart::Text(text)] if text.len() <= 40 => format!("`String` (\"{text}\")"),
            _ => "`String`".to_string(),
        },
        (Expr::Int(i), _) => format!("`Int` ({i})"),
        (_, STy::Quantity(d)) if *d != Dim::Any => d.describe().to_string(),
        _ => format!("`{}`", t.name()),
    }
}
