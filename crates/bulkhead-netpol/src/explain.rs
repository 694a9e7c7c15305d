//! `explain SRC DST`: why a connection is (not) allowed, in plain words; and
//! `diff OLD NEW`: what changed between two connectivity lists.

use crate::conn::ConnSet;
use crate::engine::{Conn, Engine, Peer};
use crate::model::{PeerSel, PortSpec, Proto, Rule};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A `proto/port` filter for explain (`tcp/80`, `80` = TCP, `udp/53`).
pub fn parse_port(s: &str) -> Result<(Proto, u16), String> {
    let (p, n) = match s.split_once('/') {
        Some((p, n)) => (
            Proto::parse(p).ok_or_else(|| format!("unknown protocol '{p}' (tcp, udp or sctp)"))?,
            n,
        ),
        None => (Proto::Tcp, s),
    };
    let n: u16 = n
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("invalid port '{n}' (1-65535)"))?;
    Ok((p, n))
}

fn describe_rule(r: &Rule, idx: usize, dir: &str) -> String {
    let who = if r.peers.is_empty() {
        "any peer".to_string()
    } else {
        r.peers
            .iter()
            .map(|p| match p {
                PeerSel::Pods { ns, pod, .. } => {
                    let ns = ns
                        .as_ref()
                        .map_or("the policy's namespace".to_string(), |s| {
                            format!("namespaces {}", s.describe())
                        });
                    let pod = pod
                        .as_ref()
                        .map_or("all pods".to_string(), |s| format!("pods {}", s.describe()));
                    format!("{pod} in {ns}")
                }
                PeerSel::IpBlock { cidr, except, .. } => {
                    if except.is_empty() {
                        format!("ipBlock {cidr}")
                    } else {
                        format!("ipBlock {cidr} except {}", except.join(", "))
                    }
                }
            })
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let ports = if r.ports.is_empty() {
        "all ports".to_string()
    } else {
        r.ports
            .iter()
            .map(|p| match &p.port {
                PortSpec::All => format!("{} (all ports)", p.proto.as_str()),
                PortSpec::Range(a, b) if a == b => format!("{} {a}", p.proto.as_str()),
                PortSpec::Range(a, b) => format!("{} {a}-{b}", p.proto.as_str()),
                PortSpec::Named(n) => format!("{} port named '{n}'", p.proto.as_str()),
                PortSpec::Invalid(why) => format!("{} (never matches: {why})", p.proto.as_str()),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("{dir} rule #{} (line {}): {who}; {ports}", idx + 1, r.line)
}

/// Explains one direction: which policies isolate the subject and which of
/// their rules match the far end.
fn explain_direction(e: &Engine<'_>, src: Peer, dst: Peer, ingress: bool, out: &mut String) {
    let (subject, other) = if ingress { (dst, src) } else { (src, dst) };
    let dir = if ingress { "ingress" } else { "egress" };
    let sname = e.peer_name(subject);
    let Peer::Workload(w) = subject else {
        let _ = writeln!(
            out,
            "- {dir} of {sname}: an external address; NetworkPolicies do not restrict it."
        );
        return;
    };
    let pols = if ingress {
        &e.ingress_of[w]
    } else {
        &e.egress_of[w]
    };
    if pols.is_empty() {
        let _ = writeln!(
            out,
            "- {dir} of {sname}: no policy isolates it for {dir}, so all {dir} traffic is allowed."
        );
        return;
    }
    let result = if ingress {
        e.ingress(src, dst)
    } else {
        e.egress(src, dst)
    };
    let _ = writeln!(
        out,
        "- {dir} of {sname}: isolated by {} polic{}; together they allow {} {}: {}.",
        pols.len(),
        if pols.len() == 1 { "y" } else { "ies" },
        if ingress { "from" } else { "to" },
        e.peer_name(other),
        result
    );
    for &pi in pols {
        let p = &e.model.policies[pi];
        let rules = if ingress { &p.ingress } else { &p.egress };
        let _ = writeln!(
            out,
            "  - NetworkPolicy {} ({}:{}) selects it (podSelector {}){}",
            p.id(),
            p.file,
            p.line,
            p.pod.describe(),
            if rules.is_empty() {
                format!("; it has no {dir} rules, so it denies all {dir} by itself")
            } else {
                String::new()
            }
        );
        for (i, r) in rules.iter().enumerate() {
            let tmp = e.rule_conns(r, dst);
            let hit = rule_hits(e, pi, ingress, i, other);
            let _ = writeln!(
                out,
                "    - {}: {}",
                describe_rule(r, i, dir),
                if hit {
                    format!("matches {}, allowing {}", e.peer_name(other), tmp)
                } else {
                    format!("does not match {}", e.peer_name(other))
                }
            );
        }
    }
}

fn rule_hits(e: &Engine<'_>, pi: usize, ingress: bool, ri: usize, other: Peer) -> bool {
    // Re-evaluate through the engine: a rule allows something to `other`
    // exactly when the policy restricted to that rule does.
    let p = &e.model.policies[pi];
    let r = if ingress {
        &p.ingress[ri]
    } else {
        &p.egress[ri]
    };
    if r.peers.is_empty() {
        return true;
    }
    r.peers.iter().any(|ps| match (ps, other) {
        (PeerSel::IpBlock { set, .. }, Peer::External(lo, hi)) => set.contains_range(lo, hi),
        (PeerSel::Pods { ns, pod, .. }, Peer::Workload(w)) => {
            let wl = &e.model.workloads[w];
            let ns_ok = match ns {
                None => wl.ns == p.ns,
                Some(s) => e.model.ns_labels(&wl.ns).is_some_and(|l| s.matches(l)),
            };
            ns_ok && pod.as_ref().is_none_or(|s| s.matches(&wl.labels))
        }
        _ => false,
    })
}

/// The full explanation of SRC → DST (optionally one port).
pub fn explain(e: &Engine<'_>, src: Peer, dst: Peer, port: Option<(Proto, u16)>) -> String {
    let src = match src {
        Peer::External(lo, hi) => {
            let (a, b) = e.external_atom(lo, hi, true);
            Peer::External(a, b)
        }
        p => p,
    };
    let dst = match dst {
        Peer::External(lo, hi) => {
            let (a, b) = e.external_atom(lo, hi, false);
            Peer::External(a, b)
        }
        p => p,
    };
    let mut out = String::new();
    let allowed: ConnSet = e.allowed(src, dst);
    let (s, d) = (e.peer_name(src), e.peer_name(dst));
    match port {
        Some((p, n)) => {
            let yes = allowed.allows(p, n);
            let _ = writeln!(
                out,
                "{s} => {d} on {} {n}: {}",
                p.as_str(),
                if yes { "ALLOWED" } else { "DENIED" }
            );
        }
        None => {
            let _ = writeln!(out, "{s} => {d} : {allowed}");
        }
    }
    let _ = writeln!(
        out,
        "\nA connection needs the sender's egress and the receiver's ingress to allow it:"
    );
    explain_direction(e, src, dst, false, &mut out);
    explain_direction(e, src, dst, true, &mut out);
    if let (Peer::External(..), Peer::External(..)) = (src, dst) {
        let _ = writeln!(out, "\n(both ends are external: not cluster traffic)");
    }
    out
}

/// Splits both engines' external ranges at the union of their boundaries,
/// so that the two connectivity lists name the same `[External]` peers and
/// a diff reports a changed range as `changed`, not as removed + added.
pub fn share_atoms(a: &mut Engine<'_>, b: &mut Engine<'_>) {
    fn refine(x: &[(u32, u32)], y: &[(u32, u32)]) -> Vec<(u32, u32)> {
        let sets: Vec<crate::ip::IpSet> = x
            .iter()
            .chain(y)
            .map(|&r| crate::ip::IpSet(vec![r]))
            .collect();
        crate::ip::atoms(&sets.iter().collect::<Vec<_>>())
    }
    let src = refine(&a.src_atoms, &b.src_atoms);
    let dst = refine(&a.dst_atoms, &b.dst_atoms);
    a.src_atoms.clone_from(&src);
    b.src_atoms = src;
    a.dst_atoms.clone_from(&dst);
    b.dst_atoms = dst;
}

/// One change between two connectivity lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: &'static str,
    pub src: String,
    pub dst: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// `added` / `removed` / `changed` pairs, sorted by source and destination.
pub fn diff(old: &[Conn], new: &[Conn]) -> Vec<DiffLine> {
    let mut map: BTreeMap<(String, String), (Option<String>, Option<String>)> = BTreeMap::new();
    for c in old {
        map.entry((c.src.clone(), c.dst.clone())).or_default().0 = Some(c.conns.to_string());
    }
    for c in new {
        map.entry((c.src.clone(), c.dst.clone())).or_default().1 = Some(c.conns.to_string());
    }
    map.into_iter()
        .filter_map(|((src, dst), (o, n))| {
            let kind = match (&o, &n) {
                (Some(a), Some(b)) if a == b => return None,
                (Some(_), Some(_)) => "changed",
                (None, Some(_)) => "added",
                (Some(_), None) => "removed",
                (None, None) => return None,
            };
            Some(DiffLine {
                kind,
                src,
                dst,
                old: o,
                new: n,
            })
        })
        .collect()
}

pub fn diff_text(lines: &[DiffLine]) -> String {
    // netpol-analyzer's diff syntax, so results compare line by line.
    let mut s = String::from("Connectivity diff:\n");
    for l in lines {
        let _ = writeln!(
            s,
            "diff-type: {}, source: {}, destination: {}, ref1: {}, ref2: {}",
            l.kind,
            l.src,
            l.dst,
            l.old.as_deref().unwrap_or("No Connections"),
            l.new.as_deref().unwrap_or("No Connections")
        );
    }
    if lines.is_empty() {
        s.push_str("no connectivity changes\n");
    }
    s
}
