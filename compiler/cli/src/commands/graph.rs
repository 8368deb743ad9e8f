//! `sinfrac graph`: services → resources per stack, as Graphviz DOT, Mermaid
//! (rendered by GitHub and GitLab in Markdown) or JSON. Shared resources have
//! their own group, cross-region uses are dashed, uses of another tier (E0301)
//! are red, protected instances are drawn with a double border.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use clap::ValueEnum;
use miette::{Result, miette};
use sinfra_compiler::db::Database;
use sinfra_compiler::db::Project;
use sinfra_compiler::graph::{EdgeKind, Graph, Node, dependency_graph, is_protected};
use sinfra_compiler::items::ItemTag;
use sinfra_compiler::platform::platform_info;

use crate::loader::load;

/// How `graph` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`sinfrac graph | dot -Tsvg > graph.svg`).
    Dot,
    /// A Mermaid flowchart, for Markdown.
    Mermaid,
    /// A JSON document: nodes and edges.
    Json,
}

/// Prints the graph of the selected stacks (all when empty).
pub fn run(path: &Path, stacks: &[String], format: GraphFormat) -> Result<ExitCode> {
    let loaded = load(path)?;
    let (db, project) = (&loaded.db, loaded.project);
    let info = platform_info(db, project);
    let mut selected = Vec::new();
    for name in stacks {
        match info.stacks.iter().position(|s| &s.name == name || &s.dns == name) {
            Some(s) => selected.push(s),
            None => {
                let known: Vec<&str> = info.stacks.iter().map(|s| s.name.as_str()).collect();
                return Err(miette!(help = format!("the stacks are: {}", known.join(", ")), "unknown stack `{name}`"));
            }
        }
    }
    let graph = dependency_graph(db, project, &selected);
    let text = match format {
        GraphFormat::Dot => dot(db, project, &graph),
        GraphFormat::Mermaid => mermaid(db, project, &graph),
        GraphFormat::Json => json(db, project, &graph),
    };
    out!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// `prod_us/api`, `shared/artifacts`.
fn id(db: &Database, project: Project, n: Node) -> String {
    let info = platform_info(db, project);
    let stack = n.stack.map_or("shared", |s| info.stacks[s].name.as_str());
    format!("{stack}/{}", n.item.name(db))
}

/// The groups of nodes: each stack in platform order, then the shared resources.
fn groups(db: &Database, project: Project, graph: &Graph) -> Vec<(String, Vec<Node>)> {
    let info = platform_info(db, project);
    let mut out: Vec<(String, Vec<Node>)> = Vec::new();
    for (s, st) in info.stacks.iter().enumerate() {
        let nodes: Vec<Node> = graph.nodes.iter().copied().filter(|n| n.stack == Some(s)).collect();
        if !nodes.is_empty() {
            let tier = &info.tiers[st.tier];
            let protected = if tier.protected { ", protected" } else { "" };
            out.push((format!("{} (tier {}{protected})", st.name, tier.name), nodes));
        }
    }
    let shared: Vec<Node> = graph.nodes.iter().copied().filter(|n| n.stack.is_none()).collect();
    if !shared.is_empty() {
        out.push(("shared".to_string(), shared));
    }
    out
}

fn is_resource(db: &Database, n: Node) -> bool {
    n.item.tag(db) == ItemTag::Resource
}

fn dot(db: &Database, project: Project, graph: &Graph) -> String {
    let mut s = String::from("digraph sinfra {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (i, (label, nodes)) in groups(db, project, graph).iter().enumerate() {
        let _ = writeln!(s, "  subgraph cluster_{i} {{\n    label={label:?};");
        for &n in nodes {
            let shape = if is_resource(db, n) { "cylinder" } else { "box" };
            let border = if is_protected(db, project, n) { ", peripheries=2" } else { "" };
            let _ = writeln!(s, "    {:?} [label={:?}, shape={shape}{border}];", id(db, project, n), n.item.name(db));
        }
        s.push_str("  }\n");
    }
    for e in &graph.edges {
        let style = match e.kind {
            EdgeKind::SameStack => String::new(),
            EdgeKind::Shared => " [style=dotted]".to_string(),
            EdgeKind::CrossRegion => " [style=dashed, color=orange, label=\"cross-region\"]".to_string(),
            EdgeKind::CrossTier => " [color=red, penwidth=2, label=\"other tier (E0301)\"]".to_string(),
        };
        let _ = writeln!(s, "  {:?} -> {:?}{style};", id(db, project, e.from), id(db, project, e.to));
    }
    s.push_str("}\n");
    s
}

/// A Mermaid identifier: `prod_us__api`.
fn mermaid_id(db: &Database, project: Project, n: Node) -> String {
    id(db, project, n).replace('/', "__").replace('-', "_")
}

fn mermaid(db: &Database, project: Project, graph: &Graph) -> String {
    let mut s = String::from("flowchart LR\n");
    for (i, (label, nodes)) in groups(db, project, graph).iter().enumerate() {
        let _ = writeln!(s, "  subgraph g{i}[\"{label}\"]");
        for &n in nodes {
            let name = n.item.name(db);
            let lock = if is_protected(db, project, n) { " 🔒" } else { "" };
            let mid = mermaid_id(db, project, n);
            let _ = if is_resource(db, n) {
                writeln!(s, "    {mid}[(\"{name}{lock}\")]")
            } else {
                writeln!(s, "    {mid}[\"{name}{lock}\"]")
            };
        }
        s.push_str("  end\n");
    }
    for e in &graph.edges {
        let (from, to) = (mermaid_id(db, project, e.from), mermaid_id(db, project, e.to));
        let _ = match e.kind {
            EdgeKind::SameStack => writeln!(s, "  {from} --> {to}"),
            EdgeKind::Shared => writeln!(s, "  {from} -.-> {to}"),
            EdgeKind::CrossRegion => writeln!(s, "  {from} -. cross-region .-> {to}"),
            EdgeKind::CrossTier => writeln!(s, "  {from} == other tier (E0301) ==> {to}"),
        };
    }
    s
}

fn json(db: &Database, project: Project, graph: &Graph) -> String {
    let info = platform_info(db, project);
    let nodes: Vec<serde_json::Value> = graph
        .nodes
        .iter()
        .map(|&n| {
            serde_json::json!({
                "id": id(db, project, n),
                "name": n.item.name(db),
                "kind": if is_resource(db, n) { "resource" } else { "service" },
                "stack": n.stack.map(|s| info.stacks[s].name.clone()),
                "tier": n.stack.map(|s| info.tiers[info.stacks[s].tier].name.clone()),
                "protected": is_protected(db, project, n),
            })
        })
        .collect();
    let edges: Vec<serde_json::Value> = graph
        .edges
        .iter()
        .map(|e| serde_json::json!({ "from": id(db, project, e.from), "to": id(db, project, e.to), "kind": e.kind.name() }))
        .collect();
    let doc = serde_json::json!({ "version": 1, "nodes": nodes, "edges": edges });
    let mut text = serde_json::to_string_pretty(&doc).expect("a graph serializes to JSON");
    text.push('\n');
    text
}
