//! A graph of subjects → roles → dangerous rights, as Graphviz DOT or as a
//! self-contained SVG.
//!
//! Why a hand-written SVG layout: the graph is three columns (subjects,
//! roles, rights) with edges only between neighbouring columns, so a fixed
//! column layout with nodes ordered by their neighbours' positions reads
//! well without Graphviz being installed. `--format dot` hands the same
//! graph to Graphviz when a real layout is wanted.

use crate::analyze::Analysis;
use crate::rules::RIGHTS;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

#[derive(Debug, Default, Clone)]
pub struct Graph {
    pub subjects: Vec<String>,
    pub roles: Vec<String>,
    /// (rule id, phrase)
    pub rights: Vec<(String, String)>,
    /// subject → role, labelled with the binding and scope.
    pub binds: BTreeSet<(usize, usize, String)>,
    /// role → right, labelled with the verbs.
    pub grants: BTreeSet<(usize, usize, String)>,
}

fn index(list: &mut Vec<String>, map: &mut BTreeMap<String, usize>, key: String) -> usize {
    if let Some(i) = map.get(&key) {
        return *i;
    }
    list.push(key.clone());
    map.insert(key, list.len() - 1);
    list.len() - 1
}

/// Builds the graph of every reportable holding.
pub fn build(a: &Analysis<'_>) -> Graph {
    let mut g = Graph::default();
    let (mut sm, mut rm) = (BTreeMap::new(), BTreeMap::new());
    let mut right_idx: BTreeMap<usize, usize> = BTreeMap::new();
    let mut keys: Vec<_> = a.holdings.keys().collect();
    keys.sort();
    for key in keys {
        for h in &a.holdings[key] {
            let Some(b) = a.binding(h.binding) else {
                continue;
            };
            if !a.reportable(b, key) {
                continue;
            }
            let Some(role) = a.role(h.role) else { continue };
            let Some(rr) = a.role_right(h) else { continue };
            let s = index(&mut g.subjects, &mut sm, key.display());
            let r = index(&mut g.roles, &mut rm, role.display());
            let k = *right_idx.entry(h.right).or_insert_with(|| {
                let rt = RIGHTS[h.right];
                g.rights
                    .push((rt.rule.id.to_string(), rt.phrase.to_string()));
                g.rights.len() - 1
            });
            g.binds
                .insert((s, r, format!("{} ({})", b.display(), h.scope)));
            g.grants.insert((r, k, rr.m.verbs.join(",")));
        }
    }
    g
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn dot_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Graph {
    pub fn dot(&self) -> String {
        let mut s = String::from(
            "digraph rbac {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8];\n",
        );
        for (i, n) in self.subjects.iter().enumerate() {
            let _ = writeln!(
                s,
                "  s{i} [label={}, shape=ellipse, style=filled, fillcolor=\"#dbeafe\"];",
                dot_str(n)
            );
        }
        for (i, n) in self.roles.iter().enumerate() {
            let _ = writeln!(
                s,
                "  r{i} [label={}, shape=box, style=filled, fillcolor=\"#f3f4f6\"];",
                dot_str(n)
            );
        }
        for (i, (id, p)) in self.rights.iter().enumerate() {
            let _ = writeln!(
                s,
                "  d{i} [label={}, shape=octagon, style=filled, fillcolor=\"#fecaca\"];",
                dot_str(&format!("{id}\n{p}"))
            );
        }
        for (a, b, l) in &self.binds {
            let _ = writeln!(s, "  s{a} -> r{b} [label={}];", dot_str(l));
        }
        for (a, b, l) in &self.grants {
            let _ = writeln!(
                s,
                "  r{a} -> d{b} [label={}, color=\"#b91c1c\"];",
                dot_str(l)
            );
        }
        s.push_str("}\n");
        s
    }

    /// Three columns; roles ordered by their first subject, so edges mostly
    /// run straight.
    pub fn svg(&self) -> String {
        const W: usize = 300;
        const ROW: usize = 28;
        const TOP: usize = 50;
        let rows = self
            .subjects
            .len()
            .max(self.roles.len())
            .max(self.rights.len())
            .max(1);
        let height = TOP + rows * ROW + 20;
        let width = 3 * W + 80;
        let y = |i: usize| TOP + i * ROW + ROW / 2;
        let x = [20usize, W + 40, 2 * W + 60];
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"11\">"
        );
        let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        for (i, t) in ["Subjects", "Roles", "Dangerous rights"].iter().enumerate() {
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"30\" font-weight=\"bold\" font-size=\"13\">{t}</text>",
                x[i]
            );
        }
        let box_w = W - 20;
        let edge = |s: &mut String,
                    x1: usize,
                    y1: usize,
                    x2: usize,
                    y2: usize,
                    color: &str,
                    title: &str| {
            let mid = (x1 + x2) / 2;
            let _ = writeln!(
                s,
                "<path d=\"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}\" fill=\"none\" stroke=\"{color}\" stroke-opacity=\"0.6\"><title>{}</title></path>",
                esc(title)
            );
        };
        for (a, b, l) in &self.binds {
            edge(&mut s, x[0] + box_w, y(*a), x[1], y(*b), "#2563eb", l);
        }
        for (a, b, l) in &self.grants {
            edge(&mut s, x[1] + box_w, y(*a), x[2], y(*b), "#b91c1c", l);
        }
        let node = |s: &mut String, col: usize, i: usize, text: &str, fill: &str| {
            let shown: String = if text.chars().count() > 44 {
                format!("{}…", text.chars().take(43).collect::<String>())
            } else {
                text.to_string()
            };
            let _ = writeln!(
                s,
                "<g><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{box_w}\" height=\"{}\" rx=\"5\" fill=\"{fill}\" stroke=\"#6b7280\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
                esc(text),
                x[col],
                y(i) - ROW / 2 + 3,
                ROW - 6,
                x[col] + 6,
                y(i) + 4,
                esc(&shown)
            );
        };
        for (i, n) in self.subjects.iter().enumerate() {
            node(&mut s, 0, i, n, "#dbeafe");
        }
        for (i, n) in self.roles.iter().enumerate() {
            node(&mut s, 1, i, n, "#f3f4f6");
        }
        for (i, (id, p)) in self.rights.iter().enumerate() {
            node(&mut s, 2, i, &format!("{id} {p}"), "#fecaca");
        }
        s.push_str("</svg>\n");
        s
    }
}
