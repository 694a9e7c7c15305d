//! IPv4 address sets as sorted, disjoint, inclusive intervals, and the split
//! of the address space into atoms at every ipBlock/except boundary.

/// A set of IPv4 addresses: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpSet(pub Vec<(u32, u32)>);

impl IpSet {
    pub fn all() -> IpSet {
        IpSet(vec![(0, u32::MAX)])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn subtract(&self, other: &IpSet) -> IpSet {
        let mut out = Vec::new();
        for &(lo, hi) in &self.0 {
            let mut cur = lo as u64;
            let hi = hi as u64;
            for &(olo, ohi) in &other.0 {
                let (olo, ohi) = (olo as u64, ohi as u64);
                if ohi < cur || olo > hi {
                    continue;
                }
                if olo > cur {
                    out.push((cur as u32, (olo - 1) as u32));
                }
                cur = ohi + 1;
                if cur > hi {
                    break;
                }
            }
            if cur <= hi {
                out.push((cur as u32, hi as u32));
            }
        }
        IpSet(out)
    }

    /// Whether the whole range `[lo, hi]` lies inside the set.
    pub fn contains_range(&self, lo: u32, hi: u32) -> bool {
        self.0.iter().any(|&(a, b)| a <= lo && hi <= b)
    }

    pub fn overlaps(&self, lo: u32, hi: u32) -> bool {
        self.0.iter().any(|&(a, b)| a <= hi && lo <= b)
    }
}

pub fn ip_to_string(ip: u32) -> String {
    let b = ip.to_be_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// `a.b.c.d-e.f.g.h`, netpol-analyzer's range notation.
pub fn range_to_string(lo: u32, hi: u32) -> String {
    format!("{}-{}", ip_to_string(lo), ip_to_string(hi))
}

pub fn parse_ip_v4(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v: u32 = 0;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = p.parse().ok()?;
        if n > 255 {
            return None;
        }
        v = (v << 8) | n;
    }
    Some(v)
}

/// Parses `a.b.c.d/n` (host bits are masked, as the API server's parser does).
pub fn parse_cidr_v4(s: &str) -> Result<IpSet, String> {
    let (ip, len) = s
        .split_once('/')
        .ok_or_else(|| "not a CIDR (expected a.b.c.d/n)".to_string())?;
    let ip = parse_ip_v4(ip).ok_or_else(|| "invalid IPv4 address".to_string())?;
    let len: u32 = len
        .parse()
        .ok()
        .filter(|l| *l <= 32)
        .ok_or_else(|| "invalid prefix length".to_string())?;
    let mask: u32 = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let lo = ip & mask;
    let hi = lo | !mask;
    Ok(IpSet(vec![(lo, hi)]))
}

/// Validates an IPv6 CIDR (`fd00::/8`): an address and a prefix 0..=128.
pub fn check_cidr_v6(s: &str) -> Result<(), String> {
    let (ip, len) = s
        .split_once('/')
        .ok_or_else(|| "not a CIDR (expected address/prefix)".to_string())?;
    ip.parse::<std::net::Ipv6Addr>()
        .map_err(|_| "invalid IPv6 address".to_string())?;
    len.parse::<u32>()
        .ok()
        .filter(|l| *l <= 128)
        .map(|_| ())
        .ok_or_else(|| "invalid prefix length (0-128 for IPv6)".to_string())
}

/// Splits the whole IPv4 space into maximal ranges on which membership in
/// every given set is constant: the atoms netpol-analyzer reports as
/// `[External]` peers.
pub fn atoms(sets: &[&IpSet]) -> Vec<(u32, u32)> {
    let mut cuts: Vec<u64> = vec![0, 1u64 << 32];
    for s in sets {
        for &(lo, hi) in &s.0 {
            cuts.push(lo as u64);
            cuts.push(hi as u64 + 1);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| (w[0] as u32, (w[1] - 1) as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_except_and_atoms() {
        let all = parse_cidr_v4("0.0.0.0/0").unwrap();
        let ten = parse_cidr_v4("10.1.2.3/8").unwrap();
        assert_eq!(ten.0, vec![(10 << 24, (11 << 24) - 1)]);
        let s = all.subtract(&ten);
        assert_eq!(s.0.len(), 2);
        let a = atoms(&[&s, &ten]);
        let text: Vec<String> = a.iter().map(|&(l, h)| range_to_string(l, h)).collect();
        assert_eq!(
            text,
            [
                "0.0.0.0-9.255.255.255",
                "10.0.0.0-10.255.255.255",
                "11.0.0.0-255.255.255.255"
            ]
        );
        assert!(parse_cidr_v4("10.0.0.0/33").is_err());
        assert!(parse_cidr_v4("10.0.0/8").is_err());
    }
}
