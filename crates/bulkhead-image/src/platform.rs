//! `--platform`: the `os/arch[/variant]` (or bare `arch`) an image index is
//! resolved to, with the names the OCI image spec takes from Go's GOOS and
//! GOARCH. A value outside them can match no image, so it is refused with
//! the syntax instead of being ignored.

/// Operating systems of the OCI image spec (`platform.os`, Go's GOOS).
pub const OSES: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
];

/// Architectures (`platform.architecture`, Go's GOARCH).
pub const ARCHES: &[&str] = &[
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64",
    "ppc64le", "riscv64", "s390x", "wasm",
];

/// Checks a `--platform` value; returns it lower-cased.
pub fn parse(s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase();
    let syntax = || {
        format!(
            "bad platform '{s}': expected OS/ARCH[/VARIANT] or ARCH, e.g. linux/amd64, linux/arm64, linux/arm/v7 \
             (OS one of {}; ARCH one of {})",
            OSES.join(", "),
            ARCHES.join(", ")
        )
    };
    let parts: Vec<&str> = t.split('/').collect();
    let (os, arch, variant) = match parts.as_slice() {
        [a] => ("linux", *a, None),
        [o, a] => (*o, *a, None),
        [o, a, v] => (*o, *a, Some(*v)),
        _ => return Err(syntax()),
    };
    if !OSES.contains(&os) || !ARCHES.contains(&arch) {
        return Err(syntax());
    }
    if let Some(v) = variant
        && !(v.len() >= 2 && v.starts_with('v') && v[1..].bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(syntax());
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn platforms() {
        assert_eq!(super::parse("linux/amd64").as_deref(), Ok("linux/amd64"));
        assert_eq!(super::parse("arm64").as_deref(), Ok("arm64"));
        assert_eq!(super::parse("linux/arm/v7").as_deref(), Ok("linux/arm/v7"));
        assert!(super::parse("banana").is_err());
        assert!(super::parse("linux/banana").is_err());
        assert!(super::parse("linux/arm/seven").is_err());
        assert!(super::parse("a/b/c/d").is_err());
    }
}
