//! The objects of generated files: each YAML document, read back with a YAML
//! parser and identified by its stack, `kind`, `metadata.name` and namespace,
//! plus what the file's header says about where it came from.

use std::collections::HashSet;

use serde_json::Value as Json;

/// What the header of a generated file says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The stack it was built for (its identifier, `prod_us`).
    pub stack: Option<String>,
    /// The tier of that stack.
    pub tier: Option<String>,
    /// The service or resource it came from: (`service`, `api`); `None` for an Application.
    pub item: Option<(String, String)>,
    /// The instance or tier was protected when the file was built.
    pub protected: bool,
}

/// Identifies an object within an output: what a deletion or a change is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// The stack's directory (`prod-us`); an Argo CD Application belongs to the stack it deploys.
    pub stack_dir: String,
    /// `kind` of the document.
    pub kind: String,
    /// `metadata.name` of the document.
    pub name: String,
    /// `metadata.namespace`, when it has one.
    pub namespace: Option<String>,
}

/// One document of a generated file.
#[derive(Clone, Debug)]
pub struct Object {
    /// Its identity.
    pub key: ObjectKey,
    /// The stack's identifier as the header names it (the directory when there is no header).
    pub stack: String,
    /// The file it is in, relative to the output directory.
    pub file: String,
    /// The file's header.
    pub header: Header,
    /// The document.
    pub doc: Json,
}

impl Object {
    /// `STACK/KIND/NAME`, the form `--allow-delete` and `allow_delete` take.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.stack, self.key.kind, self.key.name)
    }
}

/// Reads the header lines (`# …`) at the top of a generated file.
pub fn parse_header(text: &str) -> Header {
    let mut header = Header::default();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let line = line.trim_start_matches('#').trim();
        let rest = if let Some(r) = line.strip_prefix("stack: ") {
            r
        } else if let Some(r) = line.strip_prefix("Argo CD Application of stack ") {
            r
        } else {
            continue;
        };
        // `NAME (tier T, region R)[, KIND: ITEM][, protected]`
        let Some((name, rest)) = rest.split_once(" (") else { continue };
        header.stack = Some(name.to_string());
        let Some((inside, after)) = rest.split_once(')') else { continue };
        header.tier = inside.split(", ").find_map(|p| p.strip_prefix("tier ")).map(str::to_string);
        for part in after.split(", ").map(str::trim).filter(|p| !p.is_empty()) {
            if part == "protected" {
                header.protected = true;
            } else if let Some((kind, item)) = part.split_once(": ") {
                header.item = Some((kind.to_string(), item.to_string()));
            }
        }
    }
    header
}

/// The objects of one generated file at `path` (relative to the output directory).
/// Documents that are not Kubernetes objects (no `kind` or `metadata.name`) are skipped.
pub fn parse_file(path: &str, text: &str) -> Result<Vec<Object>, String> {
    let docs: Vec<Json> = serde_saphyr::from_multiple(text).map_err(|e| e.to_string())?;
    let idents = docs.into_iter().map(|doc| {
        let meta = doc.get("metadata");
        let field = |v: Option<&Json>| v.and_then(Json::as_str).map(str::to_string);
        let ident = Identity {
            kind: field(doc.get("kind")),
            name: field(meta.and_then(|m| m.get("name"))),
            namespace: field(meta.and_then(|m| m.get("namespace"))),
        };
        (ident, doc)
    });
    Ok(objects(path, text, idents))
}

/// [`parse_file`] without the documents (each object's `doc` is `null`), for a
/// build that judges deletions and needs no field diff. Files in the plain block
/// style sinfrac writes are scanned line by line ([`scan_identities`]); anything
/// else is read by the YAML parser, for the identities only.
pub fn parse_identities(path: &str, text: &str) -> Result<Vec<Object>, String> {
    let idents = match scan_identities(text) {
        Some(idents) => idents,
        None => serde_saphyr::from_multiple(text).map_err(|e| e.to_string())?,
    };
    Ok(objects(path, text, idents.into_iter().map(|i| (i, Json::Null))))
}

/// The identities of the documents of `text` when every line is in the subset of
/// YAML a line scan reads exactly: block mappings whose top-level keys and
/// `metadata` keys are plain words, `kind`, `name` and `namespace` plain scalars
/// that YAML reads as strings. `None` on anything else (flow style, quotes,
/// anchors, tags, block scalars or multi-line plain scalars there, top-level
/// sequences, directives, duplicate keys…): the caller parses the YAML then.
fn scan_identities(text: &str) -> Option<Vec<Identity>> {
    /// What the line scan is inside of.
    #[derive(PartialEq)]
    enum In {
        /// A document's start: no key yet.
        Start,
        /// A top-level key with its value on its line: no deeper line may follow.
        Scalar,
        /// A top-level key whose value is a block below it (other than `metadata`).
        Block,
        /// `metadata`'s block, with its keys' indentation once known, and whether
        /// its last key had its value on its line.
        Metadata(Option<usize>, bool),
    }
    /// A document being scanned: its identity, its top-level keys and `metadata`'s keys.
    type Doc<'a> = (Identity, HashSet<&'a str>, HashSet<&'a str>);
    let mut docs = Vec::new();
    let mut doc: Option<Doc<'_>> = None;
    let mut inside = In::Start;
    for line in text.lines() {
        if line == "---" {
            docs.extend(doc.take().map(|(i, _, _)| i));
            doc = Some(Default::default());
            inside = In::Start;
            continue;
        }
        let trimmed = line.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let (ident, keys, meta_keys) = doc.as_mut()?; // content before the first `---`
        if indent == 0 {
            if trimmed.starts_with('-') {
                // An indentless sequence: only as the block value of the key above it.
                if inside == In::Block && (trimmed == "-" || trimmed.starts_with("- ")) {
                    continue;
                }
                return None;
            }
            let (key, value) = key_value(line)?;
            if !keys.insert(key) {
                return None;
            }
            inside = match (key, value) {
                ("kind", Some(v)) => {
                    ident.kind = Some(string_scalar(v)?.to_string());
                    In::Scalar
                }
                ("metadata", None) => In::Metadata(None, false),
                ("kind" | "metadata", _) => return None,
                (_, Some(_)) => In::Scalar,
                (_, None) => In::Block,
            };
            continue;
        }
        match &mut inside {
            In::Start | In::Scalar => return None, // a document that is no mapping; a multi-line plain scalar
            In::Block => {}
            In::Metadata(level, inline) => {
                let level = *level.get_or_insert(indent);
                if indent > level {
                    if *inline {
                        return None; // a multi-line plain scalar
                    }
                    continue;
                }
                if indent < level {
                    return None;
                }
                if trimmed.starts_with('-') {
                    if !*inline && (trimmed == "-" || trimmed.starts_with("- ")) {
                        continue;
                    }
                    return None;
                }
                let (key, value) = key_value(trimmed)?;
                if !meta_keys.insert(key) {
                    return None;
                }
                match (key, value) {
                    ("name", Some(v)) => ident.name = Some(string_scalar(v)?.to_string()),
                    ("namespace", Some(v)) => ident.namespace = Some(string_scalar(v)?.to_string()),
                    ("name" | "namespace", None) => return None,
                    _ => {}
                }
                *inline = value.is_some();
            }
        }
    }
    docs.extend(doc.map(|(i, _, _)| i));
    Some(docs)
}

/// `key:` or `key: value` with a plain-word key; `None` for anything else.
fn key_value(line: &str) -> Option<(&str, Option<&str>)> {
    let (key, rest) = line.split_once(':')?;
    let word = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
    };
    if !word(key) {
        return None;
    }
    match rest {
        "" => Some((key, None)),
        _ => Some((key, Some(rest.strip_prefix(' ')?))),
    }
}

/// A plain scalar that every YAML reader takes for this very string: a letter,
/// then letters, digits and `-._/`, and no boolean, null or special float.
fn string_scalar(v: &str) -> Option<&str> {
    let plain = v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'/'));
    const WORDS: [&str; 12] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "infinity"];
    (plain && !WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))).then_some(v)
}

/// What identifies a document: `kind`, `metadata.name`, `metadata.namespace`
/// (each when it is a string).
#[derive(Default)]
struct Identity {
    kind: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
}

fn objects(path: &str, text: &str, docs: impl Iterator<Item = (Identity, Json)>) -> Vec<Object> {
    let header = parse_header(text);
    let (dir, stem) = match path.split_once('/') {
        Some((dir, file)) => (dir, file.strip_suffix(".yaml").unwrap_or(file)),
        None => ("", path),
    };
    // An Application lives in the apps directory but belongs to the stack it deploys.
    let is_app = header.stack.is_some() && header.item.is_none();
    let stack_dir = if is_app { stem } else { dir }.to_string();
    let stack = header.stack.clone().unwrap_or_else(|| stack_dir.clone());
    let mut out = Vec::new();
    for (ident, doc) in docs {
        let (Some(kind), Some(name)) = (ident.kind, ident.name) else { continue };
        let key = ObjectKey { stack_dir: stack_dir.clone(), kind, name, namespace: ident.namespace };
        out.push(Object { key, stack: stack.clone(), file: path.to_string(), header: header.clone(), doc });
    }
    out
}

/// Reads a document for its identity, skipping everything else unbuilt; a
/// document that is not a mapping (or fields of other types) identify nothing.
impl<'de> serde::Deserialize<'de> for Identity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Identity, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

        /// A string, or `None` for a value of any other type (consumed).
        struct Str(Option<String>);
        impl<'de> serde::Deserialize<'de> for Str {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
                Ok(Str(match Json::deserialize(d)? {
                    Json::String(s) => Some(s),
                    _ => None,
                }))
            }
        }

        /// `metadata`: its `name` and `namespace`.
        struct Meta(Option<String>, Option<String>);
        impl<'de> serde::Deserialize<'de> for Meta {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Meta, D::Error> {
                d.deserialize_any(MetaVisitor)
            }
        }

        struct MetaVisitor;
        impl<'de> Visitor<'de> for MetaVisitor {
            type Value = Meta;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("metadata")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Meta, A::Error> {
                let mut meta = Meta(None, None);
                while let Some(key) = map.next_key::<Str>()? {
                    match key.0.as_deref() {
                        Some("name") => meta.0 = map.next_value::<Str>()?.0,
                        Some("namespace") => meta.1 = map.next_value::<Str>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(meta)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Meta, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Meta(None, None))
            }
            fn visit_unit<E>(self) -> Result<Meta, E> {
                Ok(Meta(None, None))
            }
            fn visit_none<E>(self) -> Result<Meta, E> {
                Ok(Meta(None, None))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Meta, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Meta, E> {
                Ok(Meta(None, None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Meta, E> {
                Ok(Meta(None, None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Meta, E> {
                Ok(Meta(None, None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Meta, E> {
                Ok(Meta(None, None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Meta, E> {
                Ok(Meta(None, None))
            }
        }

        struct DocVisitor;
        impl<'de> Visitor<'de> for DocVisitor {
            type Value = Identity;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a document")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Identity, A::Error> {
                let mut ident = Identity::default();
                while let Some(key) = map.next_key::<Str>()? {
                    match key.0.as_deref() {
                        Some("kind") => ident.kind = map.next_value::<Str>()?.0,
                        Some("metadata") => {
                            let Meta(name, namespace) = map.next_value()?;
                            (ident.name, ident.namespace) = (name, namespace);
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(ident)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Identity, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Identity::default())
            }
            fn visit_unit<E>(self) -> Result<Identity, E> {
                Ok(Identity::default())
            }
            fn visit_none<E>(self) -> Result<Identity, E> {
                Ok(Identity::default())
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Identity, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Identity, E> {
                Ok(Identity::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Identity, E> {
                Ok(Identity::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Identity, E> {
                Ok(Identity::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Identity, E> {
                Ok(Identity::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Identity, E> {
                Ok(Identity::default())
            }
        }

        d.deserialize_any(DocVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = parse_header(
            "# generated by sinfrac from services/api.sinfra — do not edit\n# stack: prod_us (tier prod, region us_central1), service: api, protected\n---\n",
        );
        assert_eq!(h.stack.as_deref(), Some("prod_us"));
        assert_eq!(h.tier.as_deref(), Some("prod"));
        assert_eq!(h.item, Some(("service".into(), "api".into())));
        assert!(h.protected);
        let h = parse_header("# x\n# Argo CD Application of stack latest (tier latest, region us_central1)\n");
        assert_eq!((h.stack.as_deref(), h.item, h.protected), (Some("latest"), None, false));
    }

    #[test]
    fn objects_of_an_application_belong_to_its_stack() {
        let text = "# Argo CD Application of stack prod_us (tier prod, region r), protected\n---\nkind: Application\nmetadata:\n  name: prod-us\n  namespace: argocd\n";
        let objs = parse_file("argocd/prod-us.yaml", text).unwrap();
        assert_eq!(objs.len(), 1);
        assert_eq!(objs[0].key.stack_dir, "prod-us");
        assert_eq!(objs[0].id(), "prod_us/Application/prod-us");
    }

    #[test]
    fn bad_yaml_is_an_error() {
        assert!(parse_file("a/b.yaml", "kind: [unclosed\n").is_err());
        assert!(parse_identities("a/b.yaml", "kind: [unclosed\n").is_err());
    }

    type Ids = Vec<(Option<String>, Option<String>, Option<String>)>;

    /// The identities of the documents that have one, as [`objects`] keeps them.
    fn kept(docs: Vec<Identity>) -> Ids {
        docs.into_iter()
            .filter(|i| i.kind.is_some() || i.name.is_some())
            .map(|i| (i.kind, i.name, i.namespace))
            .collect()
    }

    fn parsed(text: &str) -> Ids {
        kept(serde_saphyr::from_multiple(text).unwrap())
    }

    fn scanned(text: &str) -> Option<Ids> {
        Some(kept(scan_identities(text)?))
    }

    /// The line scan reads sinfrac's block style exactly as the YAML parser does.
    #[test]
    fn the_line_scan_agrees_with_the_parser() {
        let texts = [
            "# header\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a-config\n  namespace: acme\n  labels:\n    app.kubernetes.io/name: a\n  annotations:\n    x: \"1\"\ndata:\n  K: |\n    line\n\n    more\n---\nkind: Deployment\nmetadata:\n  labels:\n    a: b\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        args:\n        - --x\n",
            "---\nkind: Role\nmetadata:\n  name: r\n  finalizers:\n  - x\nrules:\n- apiGroups:\n  - \"\"\n---\n---\nkind: Service\nmetadata:\n",
            "---\nkind: ClusterRole\nmetadata:\n  name: x\n# a comment\n\nitems: []\n",
        ];
        for text in texts {
            assert_eq!(scanned(text), Some(parsed(text)), "{text}");
        }
    }

    /// Anything outside the subset the scan reads exactly is left to the parser.
    #[test]
    fn the_line_scan_gives_up_on_anything_else() {
        let head = "---\nkind: A\nmetadata:\n";
        for text in [
            "kind: A\nmetadata:\n  name: a\n",          // no `---` first
            "---\nkind: \"A\"\nmetadata:\n  name: a\n", // quoted
            "---\nkind: A\nmetadata: {name: a}\n",      // flow style
            &format!("{head}  name: 'a'\n"),
            &format!("{head}  name: a # comment\n"),
            &format!("{head}  name: a\n    continued\n"), // a multi-line plain scalar
            &format!("{head}  name: 123\n"),              // a number
            &format!("{head}  name: yes\n"),              // a YAML 1.1 boolean
            &format!("{head}  name: null\n"),
            &format!("{head}  name: *anchor\n"),
            &format!("{head}  name: !!str a\n"),
            &format!("{head}  name: a\n  name: b\n"), // duplicate keys
            &format!("{head}  name: a\n    labels: x\n"),
            &format!("{head}  name: |\n    a\n"),
            &format!("{head}   name: a\n  namespace: b\n"), // dedented sibling
            "---\nkind: A\nkind: B\n",
            "---\nkind: A\n  more\n",
            "---\n- a\n",
            "---\nplain\n",
            "--- !tag\nkind: A\n",
            "%YAML 1.2\n---\nkind: A\n",
            "---\nkind: A\n...\n",
            "---\n\"kind\": A\n",
            "---\n<<: *base\n",
            "---\n\tkind: A\n",
        ] {
            assert_eq!(scanned(text), None, "{text:?}");
        }
    }

    /// Reading identities only finds what reading whole documents does.
    #[test]
    fn identities_agree_with_whole_documents() {
        let text = "# stack: prod_us (tier prod, region r), service: api\n---\nkind: Deployment\nmetadata:\n  labels: {a: b}\n  name: api\n  namespace: acme\nspec:\n  replicas: 3\n  template: {spec: {containers: [{name: a}]}}\n---\nkind: ConfigMap\nmetadata: {name: api-config}\ndata: {X: \"1\"}\n---\n- a list\n---\nplain\n---\nkind: 5\nmetadata: {name: x}\n---\nkind: Service\nmetadata: [1]\n---\nkind: Secret\nmetadata: ~\n---\n~\n---\n";
        let ids = |objects: Vec<Object>| -> Vec<(ObjectKey, String)> {
            objects.into_iter().map(|o| (o.key, o.stack)).collect()
        };
        let whole = ids(parse_file("prod-us/api.yaml", text).unwrap());
        assert_eq!(whole.len(), 2);
        assert_eq!(whole, ids(parse_identities("prod-us/api.yaml", text).unwrap()));
        assert!(parse_identities("prod-us/api.yaml", text).unwrap().iter().all(|o| o.doc.is_null()));
    }
}
