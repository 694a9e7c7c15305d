//! Field paths inside an object: printed as `spec.containers[0].name` in
//! findings and as JSON Pointers (`/spec/containers/0/name`) in fixes.

use std::borrow::Cow;
use std::fmt;

/// A path segment. Keys are mostly static field names, so they are
/// borrowed: building paths for tens of thousands of findings allocates
/// only the vectors.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(Cow<'static, str>),
    Index(usize),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    pub fn key(&self, k: impl Into<Cow<'static, str>>) -> Self {
        let mut v = Vec::with_capacity(self.0.len() + 1);
        v.extend_from_slice(&self.0);
        v.push(Seg::Key(k.into()));
        FieldPath(v)
    }

    pub fn keys(&self, ks: &[&'static str]) -> Self {
        let mut v = Vec::with_capacity(self.0.len() + ks.len());
        v.extend_from_slice(&self.0);
        v.extend(ks.iter().map(|k| Seg::Key(Cow::Borrowed(*k))));
        FieldPath(v)
    }

    pub fn index(&self, i: usize) -> Self {
        let mut v = Vec::with_capacity(self.0.len() + 1);
        v.extend_from_slice(&self.0);
        v.push(Seg::Index(i));
        FieldPath(v)
    }

    /// RFC 6901 JSON Pointer.
    pub fn pointer(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            s.push('/');
            match seg {
                Seg::Key(k) => s.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Seg::Index(i) => s.push_str(&i.to_string()),
            }
        }
        s
    }

    /// Parses a JSON Pointer back (numbers become indices).
    pub fn from_pointer(p: &str) -> Self {
        FieldPath(
            p.split('/')
                .skip(1)
                .map(|s| match s.parse::<usize>() {
                    Ok(i) if !s.starts_with('+') => Seg::Index(i),
                    _ => Seg::Key(Cow::Owned(s.replace("~1", "/").replace("~0", "~"))),
                })
                .collect(),
        )
    }
}

impl FieldPath {
    /// `spec.containers[0].name` (what `Display` prints), built without the
    /// formatting machinery: it runs once per finding.
    pub fn render(&self) -> String {
        let mut s = String::with_capacity(self.0.len() * 12);
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if k.contains(['.', '/', '[', ' ']) => {
                    s.push('[');
                    s.push_str(&format!("{k:?}"));
                    s.push(']');
                }
                Seg::Key(k) => {
                    if i > 0 {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Index(n) => {
                    s.push('[');
                    s.push_str(&n.to_string());
                    s.push(']');
                }
            }
        }
        s
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => {
                    if k.contains(['.', '/', '[', ' ']) {
                        write!(f, "[{k:?}]")?;
                    } else {
                        if !first {
                            f.write_str(".")?;
                        }
                        f.write_str(k)?;
                    }
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_pointer_round_trip() {
        let p = FieldPath::root()
            .keys(&["metadata", "annotations"])
            .key("container.apparmor.security.beta.kubernetes.io/app");
        assert_eq!(
            p.to_string(),
            "metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/app\"]"
        );
        assert_eq!(
            p.pointer(),
            "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"
        );
        assert_eq!(FieldPath::from_pointer(&p.pointer()), p);
        let q = FieldPath::root()
            .key("spec")
            .key("containers")
            .index(2)
            .key("name");
        assert_eq!(q.to_string(), "spec.containers[2].name");
        assert_eq!(FieldPath::from_pointer(&q.pointer()), q);
        assert_eq!(p.render(), p.to_string());
        assert_eq!(q.render(), q.to_string());
    }
}
