//! The addresses of resource instances (fields marked `@address`), and
//! finding one inside any string: case-insensitively, as a whole token, so
//! that `REDIS://Cache.Dev-Us.…:6379/0` and `a,cache.dev-us.…,b` match and
//! `xcache.dev-us.…` does not.

use std::sync::Arc;

use sinfra_syntax::ast::ItemKind;

use crate::db::{Db, Project};
use crate::eval::instance_value;
use crate::eval::value::{V, Value};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag, item_syntax};
use crate::platform::{placement, platform_info};
use crate::resolve::FileScope;
use crate::signatures::schema_def;

/// Addresses shorter than this are not compared (too likely to occur by chance).
const MIN_LEN: usize = 8;

/// An address of a resource instance (a field marked `@address`).
#[derive(Debug, PartialEq, Eq)]
pub struct Address {
    /// The address text.
    pub text: String,
    /// What a string is searched for: the address, lowercased, and for a URL its host.
    pub needles: Vec<String>,
    /// The resource.
    pub resource: ItemId,
    /// The field holding it.
    pub field: String,
    /// The instance's stack (`None`: shared).
    pub stack: Option<usize>,
}

/// Every address of every resource instance.
#[salsa::tracked(returns(ref))]
pub fn address_table(db: &dyn Db, project: Project) -> Arc<Vec<Address>> {
    let info = platform_info(db, project);
    let index = project_index(db, project);
    let mut out = Vec::new();
    for &item in index.globals.values().filter(|i| i.tag(db) == ItemTag::Resource) {
        let syntax = item_syntax(db, item);
        let ItemKind::Resource(decl) = &syntax.ast.kind else { continue };
        let scope = FileScope::new(db, index, item.file(db));
        let Ok(schema) = scope.path_item(&decl.schema) else { continue };
        if schema.tag(db) != ItemTag::Schema {
            continue;
        }
        let def = schema_def(db, project, schema);
        let address_fields: Vec<&String> = def.fields.iter().filter(|(_, f)| f.address).map(|(n, _)| n).collect();
        if address_fields.is_empty() {
            continue;
        }
        let stacks: Vec<Option<usize>> = match &placement(db, project, item).stacks {
            Some(st) => st.iter().map(|&s| Some(s)).collect(),
            None => vec![None],
        };
        for s in stacks {
            let value = instance_value(db, project, item, s.map(|s| info.stacks[s].item));
            let V::Record(r) = &value.value.v else { continue };
            for f in &address_fields {
                if let Some(Value { v: V::Str(text), .. }) = r.fields.get(f) {
                    let needles = needles(text);
                    if !needles.is_empty() {
                        out.push(Address {
                            text: text.to_string(),
                            needles,
                            resource: item,
                            field: (*f).clone(),
                            stack: s,
                        });
                    }
                }
            }
        }
    }
    Arc::new(out)
}

/// The lowercased forms an address is recognised by: itself, and the host of a URL or DSN.
fn needles(address: &str) -> Vec<String> {
    let lower = address.to_lowercase();
    let mut out = Vec::new();
    if let Some((_, rest)) = lower.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = host_port.split(':').next().unwrap_or("");
        if host.len() >= MIN_LEN {
            out.push(host.to_string());
        }
    }
    if lower.len() >= MIN_LEN && !out.contains(&lower) {
        out.push(lower);
    }
    out
}

/// A character that continues a host name or identifier.
fn is_token_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// Whether `needle` occurs in `haystack` (both lowercase) as a whole token:
/// not preceded by a token character or a dot, not followed by a token
/// character or by a dot that continues the name.
fn contains_token(haystack: &str, needle: &str) -> bool {
    // Most strings are shorter than an address: skip building a searcher for them.
    if needle.len() > haystack.len() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = haystack[..start].chars().next_back().is_none_or(|c| !is_token_char(c) && c != '.');
        let mut after = haystack[end..].chars();
        let after_ok = match after.next() {
            None => true,
            Some('.') => !after.next().is_some_and(is_token_char),
            Some(c) => !is_token_char(c),
        };
        if before_ok && after_ok {
            return true;
        }
        from = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// The first address accepted by `relevant` that `text` contains, with its index in `table`.
pub fn find_address<'t>(
    text: &str,
    table: &'t [Address],
    relevant: impl Fn(&Address) -> bool,
) -> Option<(usize, &'t Address)> {
    if text.len() < MIN_LEN {
        return None;
    }
    let lower = text.to_lowercase();
    table.iter().enumerate().find(|(_, a)| relevant(a) && a.needles.iter().any(|n| contains_token(&lower, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_whole_hosts_only() {
        let host = "cache.dev-us.redis.us-central1.gcp.internal";
        for yes in [
            host,
            "redis://cache.dev-us.redis.us-central1.gcp.internal:6379/0",
            "a,cache.dev-us.redis.us-central1.gcp.internal,b",
            "user:pw@cache.dev-us.redis.us-central1.gcp.internal:5432/db",
            "connect to cache.dev-us.redis.us-central1.gcp.internal.",
        ] {
            assert!(contains_token(yes, host), "{yes}");
        }
        for no in [
            "xcache.dev-us.redis.us-central1.gcp.internal",
            "a.cache.dev-us.redis.us-central1.gcp.internal",
            "cache.dev-us.redis.us-central1.gcp.internal-2",
            "cache.dev-us.redis.us-central1.gcp.internal.example",
        ] {
            assert!(!contains_token(no, host), "{no}");
        }
    }

    #[test]
    fn urls_are_recognised_by_their_host() {
        assert_eq!(
            needles("Redis://user@Cache.Dev-Us.internal:6379/0"),
            vec!["cache.dev-us.internal".to_string(), "redis://user@cache.dev-us.internal:6379/0".to_string()]
        );
        assert_eq!(
            needles("gs://acme-artifacts"),
            vec!["acme-artifacts".to_string(), "gs://acme-artifacts".to_string()]
        );
        assert!(needles("short").is_empty());
    }
}
