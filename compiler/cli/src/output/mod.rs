//! The previous output, read back: its objects, and the deletions a new
//! output would make among them.

pub mod objects;
pub mod protect;

use std::collections::BTreeMap;

use miette::{Result, miette};

use objects::{Object, ObjectKey, parse_file};

/// The objects of `files` (relative path → text), keyed by identity.
/// `previous` names them in errors as the output on disk.
pub fn objects_of<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    previous: bool,
) -> Result<BTreeMap<ObjectKey, Object>> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        if !path.ends_with(".yaml") {
            continue;
        }
        let objects = parse_file(path, text).map_err(|e| {
            if previous {
                miette!(
                    help = "restore the file from version control (`git checkout -- <out>/{path}`) or delete it; \
                            its objects cannot be judged for deletion protection while it is not YAML",
                    "the previous output's `{path}` is not valid YAML: {e}"
                )
            } else {
                miette!("internal error: generated `{path}` does not read back as YAML: {e}")
            }
        })?;
        out.extend(objects.into_iter().map(|o| (o.key.clone(), o)));
    }
    Ok(out)
}
