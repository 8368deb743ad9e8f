//! The dependency graph of a project, per stack: which instance uses which
//! resource instance. Read from the tier labels of the evaluated values — the
//! same facts the tier rules judge — so a use through a helper, a `let` or a
//! map key is an edge too, and `cache@prod_eu` from `prod_us` is a
//! cross-region edge.

use crate::check::instances;
use crate::db::{Db, Project};
use crate::eval::instance_value;
use crate::eval::value::Label;
use crate::items::{ItemId, ItemTag};
use crate::platform::{declared_protected, placement, platform_info};

/// A service or resource instance in a stack (`stack: None`: a shared resource).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    /// The item.
    pub item: ItemId,
    /// Its stack (index into the platform's stacks); `None` for a shared resource.
    pub stack: Option<usize>,
}

/// How an instance reaches a resource instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// The instance of its own stack.
    SameStack,
    /// Same tier, another stack (another region): E0302.
    CrossRegion,
    /// Another tier: E0301, an error.
    CrossTier,
    /// A shared resource (no tier).
    Shared,
}

impl EdgeKind {
    /// `same-stack`, `cross-region`, `cross-tier`, `shared`.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::SameStack => "same-stack",
            EdgeKind::CrossRegion => "cross-region",
            EdgeKind::CrossTier => "cross-tier",
            EdgeKind::Shared => "shared",
        }
    }
}

/// One use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The user.
    pub from: Node,
    /// The resource instance used.
    pub to: Node,
    /// How.
    pub kind: EdgeKind,
}

/// The instances of the selected stacks (all when empty) and their uses, in a stable order.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every instance of the selected stacks, and the shared resources they use.
    pub nodes: Vec<Node>,
    /// Every use.
    pub edges: Vec<Edge>,
}

/// Whether an instance is protected: its item is declared `protected`, or its stack's tier is.
pub fn is_protected(db: &dyn Db, project: Project, node: Node) -> bool {
    let info = platform_info(db, project);
    declared_protected(db, node.item) || node.stack.is_some_and(|s| info.tiers[info.stacks[s].tier].protected)
}

/// The dependency graph of the selected stacks (indices; all when empty).
pub fn dependency_graph(db: &dyn Db, project: Project, stacks: &[usize]) -> Graph {
    let info = platform_info(db, project);
    let mut graph = Graph::default();
    for (item, s) in instances(db, project) {
        if !stacks.is_empty() && !stacks.contains(&s) {
            continue;
        }
        let from = Node { item, stack: Some(s) };
        graph.nodes.push(from);
        let evaluated = instance_value(db, project, item, Some(info.stacks[s].item));
        let mut labels = Vec::new();
        evaluated.value.deep_labels(&mut labels);
        for label in labels {
            let Label::Instance { tier, stack, resource, .. } = label else { continue };
            let kind = match (tier, stack) {
                (None, _) | (_, None) => EdgeKind::Shared,
                (Some(t), Some(_)) if t != info.stacks[s].tier => EdgeKind::CrossTier,
                (Some(_), Some(other)) if other != s => EdgeKind::CrossRegion,
                _ => EdgeKind::SameStack,
            };
            graph.edges.push(Edge { from, to: Node { item: resource, stack }, kind });
        }
    }
    // Shared resources used by the selection, and those declared at all when everything is shown.
    for &item in crate::index::project_index(db, project).globals.values() {
        if item.tag(db) == ItemTag::Resource && placement(db, project, item).stacks.is_none() {
            let node = Node { item, stack: None };
            if stacks.is_empty() || graph.edges.iter().any(|e| e.to == node) {
                graph.nodes.push(node);
            }
        }
    }
    let key = |n: &Node| (n.stack.map_or(usize::MAX, |s| s), n.item.name(db).clone());
    graph.nodes.sort_by_key(key);
    graph.nodes.dedup();
    graph.edges.sort_by_key(|e| (key(&e.from), key(&e.to), e.kind));
    graph.edges.dedup();
    graph
}
