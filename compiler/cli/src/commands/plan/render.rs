//! The plan as text: for a terminal, as a pull-request comment, as JSON.

use std::fmt::Write;

use serde_json::{Value as Json, json};

use super::{Plan, StackPlan};
use crate::output::diff::{FieldChange, show};
use crate::output::objects::Object;
use crate::output::protect::Removal;

/// The version of the JSON document; bumped when a field changes meaning or goes away.
const JSON_VERSION: u32 = 1;

/// `Kind/name` (the namespace is in the JSON form).
fn object(o: &Object) -> String {
    format!("{}/{}", o.key.kind, o.key.name)
}

/// `text` as Markdown inline code, whatever it holds: fenced by one more
/// backtick than its longest run of backticks, padded with a space when it
/// starts or ends with one (CommonMark's code spans).
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn tier_label(s: &StackPlan) -> String {
    match (&s.tier, s.protected) {
        (Some(t), true) => format!("tier {t}, protected"),
        (Some(t), false) => format!("tier {t}"),
        (None, _) => "stack removed".to_string(),
    }
}

fn removal_note(r: &Removal) -> String {
    match (&r.protected_by, r.allowed_by) {
        (Some(why), None) => format!("REFUSED: {why}"),
        (Some(why), Some(from)) => format!("protected ({why}), allowed by {from}"),
        (None, _) => String::new(),
    }
}

fn field_line(c: &FieldChange) -> String {
    let source = c.source.as_ref().map(|s| format!("  (from {s})")).unwrap_or_default();
    format!("{}: {} → {}{source}", c.path, show(c.old.as_ref()), show(c.new.as_ref()))
}

/// For a terminal: one verdict line per stack, then the changes of each stack that has any.
pub fn human(plan: &Plan) -> String {
    let mut s = format!("plan against `{}`:\n", plan.against);
    let width = plan.stacks.iter().map(|st| st.name.len()).max().unwrap_or(0);
    for st in &plan.stacks {
        let _ = writeln!(s, "  {:width$}  {}", format!("{}:", st.name), st.verdict(), width = width + 1);
    }
    for path in &plan.hand_edited {
        let _ = writeln!(s, "  hand-edited: {path} (edited after sinfrac wrote it; the build overwrites the edit)");
    }
    for st in plan.stacks.iter().filter(|st| !st.untouched()) {
        let _ = writeln!(s, "\n{} ({}): {}", st.name, tier_label(st), st.verdict());
        for o in &st.added {
            let _ = writeln!(s, "  + {}  in {}", object(o), o.file);
        }
        for (o, fields) in &st.changed {
            let _ = writeln!(s, "  ~ {}  in {}", object(o), o.file);
            for c in fields {
                let _ = writeln!(s, "      {}", field_line(c));
            }
        }
        for r in &st.removed {
            if let Some(to) = &r.renamed_to {
                let _ = writeln!(s, "  → {}  renamed to {to} (recorded in the platform block)", object(&r.object));
                continue;
            }
            let note = removal_note(r);
            let note = if note.is_empty() { String::new() } else { format!("  [{note}]") };
            let _ = writeln!(s, "  - {}  from {}{note}", object(&r.object), r.object.file);
        }
        for (from, o) in &st.moved {
            let _ = writeln!(s, "  > {}  moved from {} to {}", object(o), from, o.file);
        }
    }
    s
}

/// A pull-request comment: a summary table, then a collapsible section per changed stack.
pub fn markdown(plan: &Plan) -> String {
    let mut s = String::from("### sinfrac plan\n\n");
    let refused: usize = plan.stacks.iter().map(StackPlan::refused).sum();
    if refused > 0 {
        let _ = writeln!(
            s,
            "> [!CAUTION]\n> {refused} protected object{} would be deleted: the build is refused until each deletion \
             is allowed (`allow_delete` in the `platform` block, with a reason).\n",
            if refused == 1 { "" } else { "s" }
        );
    }
    if !plan.hand_edited.is_empty() {
        let files: Vec<String> = plan.hand_edited.iter().map(|p| code(p)).collect();
        let _ = writeln!(
            s,
            "> [!WARNING]\n> Edited by hand after sinfrac wrote them (the build overwrites the edits): {}\n",
            files.join(", ")
        );
    }
    s.push_str("| stack | tier | verdict |\n|---|---|---|\n");
    for st in &plan.stacks {
        let tier = match (&st.tier, st.protected) {
            (Some(t), true) => format!("{t} (protected)"),
            (Some(t), false) => t.clone(),
            (None, _) => "—".to_string(),
        };
        let _ = writeln!(s, "| {} | {tier} | {} |", code(&st.name), st.verdict());
    }
    for st in plan.stacks.iter().filter(|st| !st.untouched()) {
        let _ =
            write!(s, "\n<details><summary><b>{}</b> ({}): {}</summary>\n\n", st.name, tier_label(st), st.verdict());
        for o in &st.added {
            let _ = writeln!(s, "- **added** {} in {}", code(&object(o)), code(&o.file));
        }
        for (o, fields) in &st.changed {
            let _ = writeln!(s, "- **changed** {} in {}", code(&object(o)), code(&o.file));
            for c in fields {
                let (old, new) = (show(c.old.as_ref()), show(c.new.as_ref()));
                let source = c.source.as_ref().map(|s| format!(" (from {})", code(s))).unwrap_or_default();
                let _ = writeln!(s, "  - {}: {} → {}{source}", code(&c.path), code(&old), code(&new));
            }
        }
        for r in &st.removed {
            if let Some(to) = &r.renamed_to {
                let _ = writeln!(
                    s,
                    "- **renamed** {} to {} (recorded in the platform block)",
                    code(&object(&r.object)),
                    code(to)
                );
                continue;
            }
            let note = removal_note(r);
            let note = if note.is_empty() { String::new() } else { format!(" — {note}") };
            let _ = writeln!(s, "- **removed** {} from {}{note}", code(&object(&r.object)), code(&r.object.file));
        }
        for (from, o) in &st.moved {
            let _ = writeln!(s, "- **moved** {} from {} to {}", code(&object(o)), code(from), code(&o.file));
        }
        s.push_str("\n</details>\n");
    }
    s
}

fn object_json(o: &Object) -> Json {
    json!({
        "id": o.id(),
        "kind": o.key.kind,
        "name": o.key.name,
        "namespace": o.key.namespace,
        "file": o.file,
    })
}

/// One JSON document (see `docs/plan.md`).
pub fn json(plan: &Plan) -> String {
    let stacks: Vec<Json> = plan
        .stacks
        .iter()
        .map(|st| {
            json!({
                "stack": st.name,
                "dir": st.dir,
                "tier": st.tier,
                "protected": st.protected,
                "verdict": st.verdict(),
                "added": st.added.iter().map(object_json).collect::<Vec<_>>(),
                "changed": st.changed.iter().map(|(o, fields)| {
                    let mut j = object_json(o);
                    j["fields"] = fields.iter().map(|c| json!({"path": c.path, "old": c.old, "new": c.new, "source": c.source})).collect();
                    j
                }).collect::<Vec<_>>(),
                "removed": st.removed.iter().map(|r| {
                    let mut j = object_json(&r.object);
                    j["protected_by"] = json!(r.protected_by);
                    j["allowed_by"] = json!(r.allowed_by);
                    j["refused"] = json!(r.refused());
                    j["renamed_to"] = json!(r.renamed_to);
                    j
                }).collect::<Vec<_>>(),
                "moved": st.moved.iter().map(|(from, o)| {
                    let mut j = object_json(o);
                    j["from"] = json!(from);
                    j
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let changed = !plan.unchanged();
    let refused: usize = plan.stacks.iter().map(StackPlan::refused).sum();
    let doc = json!({
        "version": JSON_VERSION,
        "against": plan.against,
        "changed": changed,
        "refused": refused,
        "hand_edited": plan.hand_edited,
        "stacks": stacks,
    });
    format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn inline_code_holds_any_text() {
        assert_eq!(code("spec.replicas"), "`spec.replicas`");
        assert_eq!(code("a `b` c"), "``a `b` c``");
        assert_eq!(code("``x"), "``` ``x ```");
        assert_eq!(code("x`"), "`` x` ``");
        assert_eq!(code(""), "``");
    }
}
