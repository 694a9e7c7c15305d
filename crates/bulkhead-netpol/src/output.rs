//! Renderers of the connectivity list, in netpol-analyzer's syntax so results
//! compare line by line with that tool: text (`src => dst : conns`), JSON,
//! CSV, Markdown, and a DOT/SVG picture.

use crate::engine::Conn;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReachFormat {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
    Svg,
}

impl std::str::FromStr for ReachFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "txt" | "text" | "table" => ReachFormat::Txt,
            "json" => ReachFormat::Json,
            "csv" => ReachFormat::Csv,
            "md" | "markdown" => ReachFormat::Md,
            "dot" => ReachFormat::Dot,
            "svg" => ReachFormat::Svg,
            o => {
                return Err(format!(
                    "unknown format '{o}' (txt, json, csv, md, dot or svg)"
                ));
            }
        })
    }
}

pub fn render(conns: &[Conn], format: ReachFormat, settings: &[(String, String)]) -> String {
    match format {
        ReachFormat::Txt => txt(conns),
        ReachFormat::Json => json(conns),
        ReachFormat::Csv => csv(conns),
        ReachFormat::Md => md(conns),
        ReachFormat::Dot => dot(conns, settings),
        ReachFormat::Svg => svg(conns),
    }
}

pub fn line(c: &Conn) -> String {
    format!("{} => {} : {}", c.src, c.dst, c.conns)
}

pub fn txt(conns: &[Conn]) -> String {
    let mut s = String::new();
    for c in conns {
        let _ = writeln!(s, "{}", line(c));
    }
    s
}

pub fn json(conns: &[Conn]) -> String {
    // Written row by row (one compact object per line): no intermediate
    // `Value` tree, which for a million connections costs gigabytes.
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut s = String::with_capacity(conns.len() * 96 + 4);
    s.push('[');
    for (i, c) in conns.iter().enumerate() {
        s.push_str(if i == 0 { "\n  " } else { ",\n  " });
        let _ = write!(
            s,
            "{{\"src\": {}, \"dst\": {}, \"conn\": {}}}",
            q(&c.src),
            q(&c.dst),
            q(&c.conns.to_string())
        );
    }
    s.push_str(if conns.is_empty() { "]\n" } else { "\n]\n" });
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn csv(conns: &[Conn]) -> String {
    let mut s = String::from("src,dst,conn\n");
    for c in conns {
        let _ = writeln!(
            s,
            "{},{},{}",
            csv_field(&c.src),
            csv_field(&c.dst),
            csv_field(&c.conns.to_string())
        );
    }
    s
}

pub fn md(conns: &[Conn]) -> String {
    let mut s = String::from("| src | dst | conn |\n|-----|-----|------|\n");
    for c in conns {
        let _ = writeln!(s, "| {} | {} | {} |", c.src, c.dst, c.conns);
    }
    s
}

fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz: one cluster per namespace, external ranges as boxes, edges
/// labelled with the allowed connections.
pub fn dot(conns: &[Conn], settings: &[(String, String)]) -> String {
    let mut nodes: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut ext: std::collections::BTreeSet<String> = Default::default();
    for c in conns {
        for p in [&c.src, &c.dst] {
            if p.ends_with("[External]") {
                ext.insert(p.clone());
            } else {
                let ns = p.split('/').next().unwrap_or("").to_string();
                let v = nodes.entry(ns).or_default();
                if !v.contains(p) {
                    v.push(p.clone());
                }
            }
        }
    }
    let mut s = String::from("digraph {\n");
    let note: Vec<String> = settings.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let _ = writeln!(
        s,
        "\tlabel={}\n\tlabelloc=b\n\tfontsize=10",
        dot_id(&note.join("\\l"))
    );
    for (i, (ns, ws)) in nodes.iter().enumerate() {
        let _ = writeln!(
            s,
            "\tsubgraph cluster_{i} {{\n\t\tlabel={}\n\t\tstyle=dashed",
            dot_id(ns)
        );
        for w in ws {
            let short = w.split_once('/').map_or(w.as_str(), |x| x.1);
            let _ = writeln!(
                s,
                "\t\t{} [label={} color=blue fontcolor=blue]",
                dot_id(w),
                dot_id(short)
            );
        }
        s.push_str("\t}\n");
    }
    for e in &ext {
        let _ = writeln!(
            s,
            "\t{} [label={} shape=box color=red2 fontcolor=red2]",
            dot_id(e),
            dot_id(e.trim_end_matches("[External]"))
        );
    }
    for c in conns {
        let _ = writeln!(
            s,
            "\t{} -> {} [label={} color=gold2 fontcolor=darkgreen]",
            dot_id(&c.src),
            dot_id(&c.dst),
            dot_id(&c.conns.to_string())
        );
    }
    s.push_str("}\n");
    s
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained SVG (no Graphviz needed): peers on a circle, one arrow
/// per allowed connection with its ports as a tooltip.
pub fn svg(conns: &[Conn]) -> String {
    let mut peers: Vec<&str> = Vec::new();
    for c in conns {
        for p in [c.src.as_str(), c.dst.as_str()] {
            if !peers.contains(&p) {
                peers.push(p);
            }
        }
    }
    peers.sort_unstable();
    let n = peers.len().max(1) as f64;
    let r = 120.0 + 18.0 * n;
    let (cx, cy) = (r + 260.0, r + 60.0);
    let pos = |i: usize| {
        let a = std::f64::consts::TAU * i as f64 / n;
        (cx + r * a.cos(), cy + r * a.sin())
    };
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n<defs><marker id=\"a\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#b8860b\"/></marker></defs>\n",
        2.0 * cx,
        2.0 * cy
    );
    for c in conns {
        let (Some(i), Some(j)) = (
            peers.iter().position(|p| *p == c.src),
            peers.iter().position(|p| *p == c.dst),
        ) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (pos(i), pos(j));
        let _ = writeln!(
            s,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"#daa520\" marker-end=\"url(#a)\"><title>{} =&gt; {} : {}</title></line>",
            xml(&c.src),
            xml(&c.dst),
            xml(&c.conns.to_string())
        );
    }
    for (i, p) in peers.iter().enumerate() {
        let (x, y) = pos(i);
        let color = if p.ends_with("[External]") {
            "#c00"
        } else {
            "#00c"
        };
        let anchor = if x < cx { "end" } else { "start" };
        let dx = if x < cx { -8.0 } else { 8.0 };
        let _ = writeln!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"{color}\">{}</text>",
            x + dx,
            y + 4.0,
            xml(p)
        );
    }
    s.push_str("</svg>\n");
    s
}
