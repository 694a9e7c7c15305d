//! `--image-map`: which image or Dockerfile stands for a reference the
//! manifests use. Values are `REF=SOURCE` pairs or YAML files mapping
//! references to sources (`oci:DIR:TAG`, `oci-archive:FILE`,
//! `docker-archive:FILE`, a directory, a Dockerfile path, a registry
//! reference); relative paths in a file are relative to that file.

/// `--image-map` values: `REF=SOURCE` pairs or YAML files of them.
pub fn read(values: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for v in values {
        let p = std::path::Path::new(v);
        if !p.is_file() {
            match v.split_once('=') {
                Some((r, s)) if !r.is_empty() && !s.is_empty() => {
                    out.push((r.to_string(), s.to_string()));
                    continue;
                }
                _ => return Err(format!("--image-map {v}: neither a file nor REF=SOURCE")),
            }
        }
        let text = std::fs::read_to_string(p)
            .map_err(|e| format!("{v}: {}", bulkhead_core::source::io_reason(&e)))?;
        let docs = bulkhead_core::yaml::parse(&text, bulkhead_core::yaml::Limits::default())
            .map_err(|e| format!("{v}: {e}"))?;
        let base = p.parent().unwrap_or(std::path::Path::new(""));
        for d in docs {
            if !d.root.is_map() {
                return Err(format!(
                    "{v}: expected a mapping of image references to sources"
                ));
            }
            for e in d.root.entries() {
                let (Some(k), Some(s)) = (e.key.as_str(), e.value.as_str()) else {
                    return Err(format!(
                        "{v}:{}: expected `reference: source` with two strings",
                        e.key.start.line
                    ));
                };
                out.push((k.to_string(), relative_to(base, s)));
            }
        }
    }
    Ok(out)
}

/// A map value whose path is relative is relative to the map file (as
/// kustomize reads its files): `oci:layout:app` next to the map, a Dockerfile
/// path, a directory. Registry references stay as written.
fn relative_to(base: &std::path::Path, source: &str) -> String {
    let (scheme, rest) = match source.split_once(':') {
        Some((sc, r)) if ["oci", "oci-archive", "docker-archive"].contains(&sc) => {
            (format!("{sc}:"), r)
        }
        _ => (String::new(), source),
    };
    let (path, tail) = match (scheme.is_empty(), rest.split_once(':')) {
        (false, Some((p, t))) => (p, format!(":{t}")),
        _ => (rest, String::new()),
    };
    let local = base.join(path);
    if std::path::Path::new(path).is_relative() && local.exists() {
        format!("{scheme}{}{tail}", local.display())
    } else {
        source.to_string()
    }
}
