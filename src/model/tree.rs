//! The span tree: an arena of spans with parent and child links, children ordered by start time.
//! Built once per loaded trace, without recursion, so malformed traces (orphans, cycles,
//! duplicate ids, ends before starts, 10,000-deep nesting) load without panic or stack overflow.

use std::collections::HashMap;

use super::{Span, TokenUsage};

/// Span ids are random hex: a simple multiplicative hash (FxHash's) is as good as SipHash
/// here and several times cheaper. Only used for this build-time index.
#[derive(Default, Clone, Copy)]
struct BuildIdHasher;

struct IdHasher(u64);

impl std::hash::BuildHasher for BuildIdHasher {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

/// Why a span sits where it does when the data did not say so cleanly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NodeFlags {
    /// Its parent id names no span in the trace: shown at the top level.
    pub orphan: bool,
    /// Its parent chain loops back on itself: the loop was cut here, shown at the top level.
    pub cycle: bool,
    /// Another span has the same id; children attach to the first one.
    pub duplicate_id: bool,
    /// It ends before it starts.
    pub negative_duration: bool,
}

impl NodeFlags {
    pub fn is_marked(&self) -> bool {
        self.orphan || self.cycle || self.duplicate_id || self.negative_duration
    }
    /// A short label for the marks, e.g. `orphan`.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if self.orphan {
            parts.push("orphan");
        }
        if self.cycle {
            parts.push("cycle");
        }
        if self.duplicate_id {
            parts.push("duplicate id");
        }
        if self.negative_duration {
            parts.push("ends before start");
        }
        parts.join(", ")
    }
}

#[derive(Debug, Clone, Default)]
pub struct SpanTree {
    spans: Vec<Span>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    flags: Vec<NodeFlags>,
    depth: Vec<u32>,
    /// Depth-first order of every span (roots in order, children by start).
    preorder: Vec<usize>,
    start_ns: u64,
    end_ns: u64,
}

impl SpanTree {
    pub fn build(spans: Vec<Span>) -> Self {
        let n = spans.len();
        let mut flags = vec![NodeFlags::default(); n];
        let mut index: HashMap<&str, usize, BuildIdHasher> =
            HashMap::with_capacity_and_hasher(n, BuildIdHasher);
        for (i, s) in spans.iter().enumerate() {
            if index.contains_key(s.span_id.as_str()) {
                flags[i].duplicate_id = true;
            } else {
                index.insert(s.span_id.as_str(), i);
            }
            if s.end_ns.is_some_and(|e| e < s.start_ns) {
                flags[i].negative_duration = true;
            }
        }
        let mut parent: Vec<Option<usize>> = vec![None; n];
        for (i, s) in spans.iter().enumerate() {
            if let Some(p) = s.parent_id.as_deref() {
                match index.get(p) {
                    Some(&pi) if pi != i => parent[i] = Some(pi),
                    Some(_) => flags[i].cycle = true, // its own parent
                    None => flags[i].orphan = true,
                }
            }
        }
        drop(index);

        // Cut cycles: a span whose parent chain never reaches a top-level span is in (or below)
        // a loop. Walk each chain once, colouring as we go (0 = unknown, 1 = on the current
        // walk, 2 = reaches the top).
        let mut colour = vec![0u8; n];
        let mut walk = Vec::new();
        for start in 0..n {
            let mut cur = start;
            walk.clear();
            loop {
                if colour[cur] == 2 {
                    break;
                }
                if colour[cur] == 1 {
                    // a loop: cut it at `cur`
                    parent[cur] = None;
                    flags[cur].cycle = true;
                    break;
                }
                colour[cur] = 1;
                walk.push(cur);
                match parent[cur] {
                    Some(p) => cur = p,
                    None => break,
                }
            }
            for &w in &walk {
                colour[w] = 2;
            }
        }

        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, p) in parent.iter().enumerate() {
            match *p {
                Some(p) => children[p].push(i),
                None => roots.push(i),
            }
        }
        let by_start =
            |a: &usize, b: &usize| spans[*a].start_ns.cmp(&spans[*b].start_ns).then(a.cmp(b));
        for c in &mut children {
            c.sort_by(by_start);
        }
        // True roots first, then the marked ones, each by start.
        roots.sort_by(|a, b| {
            let ma = flags[*a].orphan || flags[*a].cycle;
            let mb = flags[*b].orphan || flags[*b].cycle;
            ma.cmp(&mb).then_with(|| by_start(a, b))
        });

        let mut depth = vec![0u32; n];
        let mut preorder = Vec::with_capacity(n);
        let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            preorder.push(i);
            for &c in children[i].iter().rev() {
                depth[c] = depth[i] + 1;
                stack.push(c);
            }
        }

        let start_ns = spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
        let end_ns = spans
            .iter()
            .map(|s| s.end_ns.unwrap_or(s.start_ns).max(s.start_ns))
            .max()
            .unwrap_or(start_ns);
        SpanTree {
            spans,
            parent,
            children,
            roots,
            flags,
            depth,
            preorder,
            start_ns,
            end_ns,
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }
    pub fn span(&self, i: usize) -> &Span {
        &self.spans[i]
    }
    pub fn get(&self, i: usize) -> Option<&Span> {
        self.spans.get(i)
    }
    pub fn parent(&self, i: usize) -> Option<usize> {
        self.parent.get(i).copied().flatten()
    }
    pub fn children(&self, i: usize) -> &[usize] {
        self.children.get(i).map(Vec::as_slice).unwrap_or(&[])
    }
    pub fn roots(&self) -> &[usize] {
        &self.roots
    }
    pub fn flags(&self, i: usize) -> NodeFlags {
        self.flags.get(i).copied().unwrap_or_default()
    }
    pub fn depth(&self, i: usize) -> u32 {
        self.depth.get(i).copied().unwrap_or(0)
    }
    /// Every span index, depth first.
    pub fn preorder(&self) -> &[usize] {
        &self.preorder
    }
    pub fn max_depth(&self) -> u32 {
        self.depth.iter().copied().max().unwrap_or(0)
    }
    /// The earliest start and the latest end over all spans (for timeline bars).
    pub fn time_range(&self) -> (u64, u64) {
        (self.start_ns, self.end_ns)
    }
    /// The path from a top-level span down to `i`.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut path = vec![i];
        let mut cur = i;
        while let Some(p) = self.parent(cur) {
            path.push(p);
            cur = p;
        }
        path.reverse();
        path
    }
    pub fn find(&self, span_id: &str) -> Option<usize> {
        self.spans.iter().position(|s| s.span_id == span_id)
    }
    /// Token totals over spans, counting a span only when no ancestor already carries usage
    /// (a wrapper span and the call it wraps both report the same tokens).
    pub fn token_total(&self) -> Option<TokenUsage> {
        let mut total: Option<TokenUsage> = None;
        let mut covered = vec![false; self.len()];
        for &i in &self.preorder {
            if let Some(p) = self.parent(i)
                && covered[p]
            {
                covered[i] = true;
                continue;
            }
            if let Some(u) = self.spans[i].token_usage() {
                covered[i] = true;
                total.get_or_insert_with(TokenUsage::default).add(&u);
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SpanType, StatusCode};

    fn span(id: &str, parent: Option<&str>, start: u64) -> Span {
        Span {
            span_id: id.into(),
            parent_id: parent.map(Into::into),
            name: id.into(),
            span_type: SpanType::Unknown,
            status: StatusCode::Ok,
            status_message: String::new(),
            start_ns: start,
            end_ns: Some(start + 10),
            attributes: Default::default(),
            events: vec![],
            derived: None,
        }
    }

    fn names(t: &SpanTree) -> Vec<&str> {
        t.preorder()
            .iter()
            .map(|&i| t.span(i).name.as_str())
            .collect()
    }

    #[test]
    fn children_by_start() {
        let t = SpanTree::build(vec![
            span("r", None, 0),
            span("b", Some("r"), 5),
            span("a", Some("r"), 1),
            span("c", Some("a"), 2),
        ]);
        assert_eq!(names(&t), ["r", "a", "c", "b"]);
        assert_eq!(t.depth(3), 2);
        assert_eq!(t.ancestors(3), [0, 2, 3]);
    }

    #[test]
    fn orphans_go_to_the_top_marked() {
        let t = SpanTree::build(vec![span("x", Some("missing"), 0), span("r", None, 5)]);
        assert_eq!(names(&t), ["r", "x"]);
        assert!(t.flags(0).orphan);
    }

    #[test]
    fn cycles_are_cut() {
        let t = SpanTree::build(vec![
            span("a", Some("b"), 0),
            span("b", Some("a"), 1),
            span("s", Some("s"), 2),
            span("c", Some("a"), 3),
        ]);
        assert_eq!(t.preorder().len(), 4);
        assert!(t.flags(0).cycle || t.flags(1).cycle);
        assert!(t.flags(2).cycle);
    }

    #[test]
    fn duplicates_and_negative_durations() {
        let mut bad = span("d", None, 10);
        bad.end_ns = Some(3);
        let t = SpanTree::build(vec![span("d", None, 0), bad, span("k", Some("d"), 1)]);
        assert!(t.flags(1).duplicate_id);
        assert!(t.flags(1).negative_duration);
        assert_eq!(t.span(1).duration_ns(), Some(0));
        assert_eq!(t.parent(2), Some(0));
        assert_eq!(t.preorder().len(), 3);
    }

    #[test]
    fn deep_nesting_without_recursion() {
        let n = 10_000;
        let spans: Vec<Span> = (0..n)
            .map(|i| {
                let parent = if i == 0 {
                    None
                } else {
                    Some(format!("s{}", i - 1))
                };
                span(&format!("s{i}"), parent.as_deref(), i as u64)
            })
            .collect();
        let t = SpanTree::build(spans);
        assert_eq!(t.max_depth(), (n - 1) as u32);
        assert_eq!(t.preorder().len(), n);
        assert_eq!(t.ancestors(n - 1).len(), n);
    }
}
