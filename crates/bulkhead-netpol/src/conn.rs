//! Sets of allowed connections: for each protocol (SCTP, TCP, UDP) a set of
//! port ranges within 1-65535.

use crate::model::Proto;
use std::fmt;

pub const MIN_PORT: u16 = 1;
pub const MAX_PORT: u16 = 65535;

/// Sorted, disjoint, non-adjacent inclusive port ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PortSet(pub Vec<(u16, u16)>);

impl PortSet {
    pub fn full() -> PortSet {
        PortSet(vec![(MIN_PORT, MAX_PORT)])
    }

    pub fn is_full(&self) -> bool {
        self.0 == [(MIN_PORT, MAX_PORT)]
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, lo: u16, hi: u16) {
        if lo > hi {
            return;
        }
        self.0.push((lo, hi));
        self.0.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(self.0.len());
        for &(a, b) in &self.0 {
            match out.last_mut() {
                Some(last) if a as u32 <= last.1 as u32 + 1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        self.0 = out;
    }

    pub fn union(&mut self, o: &PortSet) {
        for &(a, b) in &o.0 {
            self.add(a, b);
        }
    }

    pub fn intersect(&self, o: &PortSet) -> PortSet {
        let mut out = Vec::new();
        for &(a, b) in &self.0 {
            for &(c, d) in &o.0 {
                let lo = a.max(c);
                let hi = b.min(d);
                if lo <= hi {
                    out.push((lo, hi));
                }
            }
        }
        out.sort_unstable();
        PortSet(out)
    }

    pub fn contains(&self, p: u16) -> bool {
        self.0.iter().any(|&(a, b)| a <= p && p <= b)
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// Allowed connections, indexed by [`Proto::index`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ConnSet(pub [PortSet; 3]);

impl ConnSet {
    pub fn all() -> ConnSet {
        ConnSet([PortSet::full(), PortSet::full(), PortSet::full()])
    }

    pub fn none() -> ConnSet {
        ConnSet::default()
    }

    pub fn is_all(&self) -> bool {
        self.0.iter().all(PortSet::is_full)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(PortSet::is_empty)
    }

    pub fn ports(&self, p: Proto) -> &PortSet {
        &self.0[p.index()]
    }

    pub fn add(&mut self, p: Proto, lo: u16, hi: u16) {
        self.0[p.index()].add(lo, hi);
    }

    pub fn add_all(&mut self, p: Proto) {
        self.0[p.index()] = PortSet::full();
    }

    pub fn union(&mut self, o: &ConnSet) {
        for (a, b) in self.0.iter_mut().zip(o.0.iter()) {
            a.union(b);
        }
    }

    pub fn intersect(&self, o: &ConnSet) -> ConnSet {
        ConnSet([
            self.0[0].intersect(&o.0[0]),
            self.0[1].intersect(&o.0[1]),
            self.0[2].intersect(&o.0[2]),
        ])
    }

    pub fn allows(&self, p: Proto, port: u16) -> bool {
        self.0[p.index()].contains(port)
    }

    /// `(protocol, lo, hi)` triples, for set comparisons and CSV/JSON.
    pub fn triples(&self) -> Vec<(Proto, u16, u16)> {
        let mut v = Vec::new();
        for p in Proto::ALL {
            for &(a, b) in &self.0[p.index()].0 {
                v.push((p, a, b));
            }
        }
        v
    }
}

impl fmt::Display for ConnSet {
    /// netpol-analyzer's text: `All Connections`, `No Connections`, or
    /// `SCTP 9003,TCP 80,443,UDP 53` (protocols sorted, ranges `a-b`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let parts: Vec<String> = Proto::ALL
            .iter()
            .filter(|p| !self.0[p.index()].is_empty())
            .map(|p| format!("{} {}", p.as_str(), self.0[p.index()]))
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render() {
        let mut c = ConnSet::none();
        c.add(Proto::Tcp, 80, 80);
        c.add(Proto::Tcp, 81, 90);
        c.add(Proto::Udp, 53, 53);
        c.add(Proto::Tcp, 443, 443);
        assert_eq!(c.to_string(), "TCP 80-90,443,UDP 53");
        assert_eq!(ConnSet::all().to_string(), "All Connections");
        let mut d = ConnSet::all();
        d.0[Proto::Udp.index()] = PortSet(vec![(1, 5352), (5354, 65535)]);
        assert_eq!(
            d.to_string(),
            "SCTP 1-65535,TCP 1-65535,UDP 1-5352,5354-65535"
        );
        assert_eq!(c.intersect(&d).to_string(), "TCP 80-90,443,UDP 53");
    }
}
