//! The addresses of resource instances (fields marked `@address`), and
//! finding one inside any string: case-insensitively, as a whole token, so
//! that `REDIS://Cache.Dev-Us.…:6379/0` and `a,cache.dev-us.…,b` match and
//! `xcache.dev-us.…` does not. Every string of every instance in every stack
//! is searched, so all addresses are searched at once (Aho-Corasick): one
//! pass over each string, whatever the number of addresses.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::db::{Db, Project};
use crate::eval::instance_value;
use crate::eval::value::{V, Value};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
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

/// Every address of every resource instance, and a matcher over all of them.
#[derive(Debug)]
pub struct AddressTable {
    /// The addresses.
    pub addresses: Vec<Address>,
    matcher: TokenMatcher,
    /// Record keys known to mention no address. Keys are interned names (never
    /// freed, so a name is a stable identity) and the same few hundred recur
    /// in every output document of every instance in every stack.
    clean_keys: std::sync::RwLock<rustc_hash::FxHashSet<crate::hir::Name>>,
}

impl PartialEq for AddressTable {
    fn eq(&self, other: &AddressTable) -> bool {
        self.addresses == other.addresses // the matcher is built from them
    }
}

impl Eq for AddressTable {}

impl AddressTable {
    fn new(addresses: Vec<Address>) -> AddressTable {
        let matcher = TokenMatcher::new(
            addresses.iter().enumerate().flat_map(|(i, a)| a.needles.iter().map(move |n| (i, n.as_str()))),
        );
        AddressTable { addresses, matcher, clean_keys: Default::default() }
    }

    /// Whether the record key `key` may contain an address (of any stack):
    /// `false` is remembered, so each distinct key is searched once per table.
    pub fn key_may_mention(&self, key: crate::hir::Name) -> bool {
        if self.clean_keys.read().is_ok_and(|clean| clean.contains(&key)) {
            return false;
        }
        let may = self.matcher.mentions_any(&key);
        if !may && let Ok(mut clean) = self.clean_keys.write() {
            clean.insert(key);
        }
        may
    }

    /// The first address accepted by `relevant` that `text` contains as a whole
    /// token, with its index.
    pub fn find(&self, text: &str, relevant: impl Fn(&Address) -> bool) -> Option<(usize, &Address)> {
        let i = self.matcher.find(text, |i| relevant(&self.addresses[i]))?;
        Some((i, &self.addresses[i]))
    }
}

/// Finds needles (each owned by an index) in a text as whole tokens, ASCII
/// case-insensitively, in one pass.
#[derive(Debug)]
struct TokenMatcher {
    /// For each pattern, its owner.
    owner: Vec<usize>,
    /// `None`: no needle.
    automaton: Option<AhoCorasick>,
}

impl TokenMatcher {
    fn new<'n>(needles: impl Iterator<Item = (usize, &'n str)>) -> TokenMatcher {
        let (owner, patterns): (Vec<usize>, Vec<&str>) = needles.unzip();
        let automaton = if patterns.is_empty() {
            None
        } else {
            // A DFA: every string of every instance in every stack is searched, and most match nothing.
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&patterns)
                .ok()
        };
        TokenMatcher { owner, automaton }
    }

    /// Whether any needle occurs in `text` (as a token or not).
    fn mentions_any(&self, text: &str) -> bool {
        self.automaton.as_ref().is_some_and(|a| text.len() >= MIN_LEN && a.is_match(text))
    }

    /// The owner of the first needle found as a whole token whose owner `accept`s.
    fn find(&self, text: &str, accept: impl Fn(usize) -> bool) -> Option<usize> {
        let automaton = self.automaton.as_ref()?;
        if !self.mentions_any(text) {
            return None;
        }
        automaton
            .find_overlapping_iter(text)
            .filter(|m| is_whole_token(text, m.start(), m.end()))
            .map(|m| self.owner[m.pattern().as_usize()])
            .find(|&i| accept(i))
    }
}

/// Every address of every resource instance.
#[salsa::tracked(returns(ref))]
pub fn address_table(db: &dyn Db, project: Project) -> Arc<AddressTable> {
    let info = platform_info(db, project);
    let index = project_index(db, project);
    let mut out = Vec::new();
    for &item in index.globals.values().filter(|i| i.tag(db) == ItemTag::Resource) {
        let hir = crate::hir::item_hir(db, item);
        let crate::hir::ItemKind::Instance { schema, .. } = &hir.kind else { continue };
        let scope = FileScope::new(db, index, item.file(db));
        let Some(schema) = scope.path(schema).ok() else { continue };
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
                if let Some(Value { v: V::Str(text), .. }) = r.fields.get(*f) {
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
    Arc::new(AddressTable::new(out))
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

/// Whether `text[start..end]` is a whole token: not preceded by a token
/// character or a dot, not followed by a token character or by a dot that
/// continues the name.
fn is_whole_token(text: &str, start: usize, end: usize) -> bool {
    let before_ok = text[..start].chars().next_back().is_none_or(|c| !is_token_char(c) && c != '.');
    let mut after = text[end..].chars();
    let after_ok = match after.next() {
        None => true,
        Some('.') => !after.next().is_some_and(is_token_char),
        Some(c) => !is_token_char(c),
    };
    before_ok && after_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_whole_hosts_only() {
        let host = "cache.dev-us.redis.us-central1.gcp.internal";
        let needles = needles(host);
        let t = TokenMatcher::new(needles.iter().map(|n| (0, n.as_str())));
        for yes in [
            host,
            "redis://cache.dev-us.redis.us-central1.gcp.internal:6379/0",
            "REDIS://CACHE.Dev-Us.redis.us-central1.gcp.internal:6379/0",
            "a,cache.dev-us.redis.us-central1.gcp.internal,b",
            "user:pw@cache.dev-us.redis.us-central1.gcp.internal:5432/db",
            "connect to cache.dev-us.redis.us-central1.gcp.internal.",
        ] {
            assert!(t.find(yes, |_| true).is_some(), "{yes}");
        }
        for no in [
            "xcache.dev-us.redis.us-central1.gcp.internal",
            "a.cache.dev-us.redis.us-central1.gcp.internal",
            "cache.dev-us.redis.us-central1.gcp.internal-2",
            "cache.dev-us.redis.us-central1.gcp.internal.example",
        ] {
            assert!(t.find(no, |_| true).is_none(), "{no}");
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
