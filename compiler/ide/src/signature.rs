//! Signature help: inside `f(…, |`, the callee's signature and the argument
//! being written. Read from the text before the cursor, which is what exists
//! while a call is being typed (the parser has not closed it yet).

use sinfra_compiler::db::SourceFile;
use sinfra_compiler::eval::builtins::Builtin;
use sinfra_compiler::hir::item_source_map;
use sinfra_compiler::index::project_index;
use sinfra_compiler::items::ItemTag;
use sinfra_compiler::signatures::fn_sig;

use crate::Analysis;

/// A signature with its parameters and the active one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    /// `fn name(a: T, b: U) -> R`
    pub label: String,
    /// Each parameter's text in `label` (`a: T`).
    pub params: Vec<String>,
    /// The parameter the cursor is in.
    pub active: usize,
    /// The function's doc comment.
    pub doc: Option<String>,
}

/// The call the cursor is inside: the callee's text and the argument index.
fn open_call(text: &str) -> Option<(String, usize)> {
    let mut depth = 0i32;
    let mut commas = 0usize;
    let mut in_string = false;
    let bytes = text.as_bytes();
    let mut i = bytes.len();
    while i > 0 {
        i -= 1;
        let c = bytes[i];
        if in_string {
            if c == b'"' && (i == 0 || bytes[i - 1] != b'\\') {
                in_string = false;
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b')' | b']' | b'}' => depth += 1,
            b'[' | b'{' if depth == 0 => return None,
            b'(' | b'[' | b'{' => depth -= 1,
            b'\n' if depth == 0 && text[..i].trim_end().ends_with('}') => return None,
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
        if c == b'(' && depth < 0 {
            let head = text[..i].trim_end();
            let name: String = head
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            return (!name.is_empty()).then_some((name, commas));
        }
    }
    None
}

/// The signature help at byte `offset` of `file`.
pub fn signature_help(a: &Analysis<'_>, file: SourceFile, offset: u32) -> Option<SignatureHelp> {
    let db = a.db;
    let text = file.text(db);
    let (callee, active) = open_call(text.get(..offset as usize)?)?;
    let (module, name) = match callee.rsplit_once('.') {
        Some((m, n)) => (Some(m.to_string()), n.to_string()),
        None => (None, callee.clone()),
    };
    let index = project_index(db, a.project);
    let item = match &module {
        Some(m) => index.member(m, &name),
        None => index.global(&name),
    };
    if let Some(item) = item.filter(|i| i.tag(db) == ItemTag::Fn) {
        let sig = fn_sig(db, a.project, item);
        let params: Vec<String> = sig.params.iter().map(|(n, t)| format!("{n}: {}", t.display(db))).collect();
        let label = format!("fn {callee}({}) -> {}", params.join(", "), sig.ret.display(db));
        let doc = item_source_map(db, item).doc.as_deref().map(str::to_string);
        return Some(SignatureHelp { label, params, active, doc });
    }
    let builtin = Builtin::from_name(&name).filter(|_| module.is_none())?;
    let (label, params) = builtin_signature(a, builtin);
    Some(SignatureHelp { label, params, active, doc: Some(builtin.signature().doc.to_string()) })
}

/// A builtin's signature as written (`fn join(items: [String], sep: String = "") -> String`) and its parameters.
pub(crate) fn builtin_signature(a: &Analysis<'_>, builtin: Builtin) -> (String, Vec<String>) {
    let db = a.db;
    let sig = builtin.signature();
    let params: Vec<String> = sig
        .params
        .iter()
        .map(|p| match p.default {
            Some(d) => format!("{}: {} = {d}", p.name, p.ty.display(db)),
            None => format!("{}: {}", p.name, p.ty.display(db)),
        })
        .collect();
    let label = format!("fn {}({}) -> {}", builtin.name(), params.join(", "), sig.ret.display(db));
    (label, params)
}

#[cfg(test)]
mod tests {
    use super::open_call;

    #[test]
    fn finds_the_open_call_and_the_argument() {
        assert_eq!(open_call("x = k8s.resources(2, none, "), Some(("k8s.resources".into(), 2)));
        assert_eq!(open_call("x = f(g(1, 2), \"a,b\", "), Some(("f".into(), 2)));
        assert_eq!(open_call("x = f(1)"), None);
        assert_eq!(open_call("x = { a = f(1), b = "), None);
    }
}
