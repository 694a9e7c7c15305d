//! The package inventory shared by the image catalogers (which produce it),
//! the SBOM writers and the vulnerability matcher (which consume it).
//!
//! Kept in core so that `bulkhead-image` and `bulkhead-vuln` do not depend on
//! each other: an SBOM read back from disk yields the same [`Inventory`].

use serde::{Deserialize, Serialize};
use std::fmt;

/// The package ecosystem, named as OSV names it where OSV has a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    /// dpkg packages (Debian, Ubuntu, distroless).
    Deb,
    /// Alpine's apk packages.
    Apk,
    /// rpm packages (RHEL, Fedora, SUSE, ...).
    Rpm,
    PyPI,
    #[serde(rename = "npm")]
    Npm,
    Go,
    #[serde(rename = "crates.io")]
    CratesIo,
    Maven,
    RubyGems,
}

impl Ecosystem {
    /// The purl type (`pkg:<type>/...`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Go => "golang",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Maven => "maven",
            Ecosystem::RubyGems => "gem",
        }
    }

    /// The OSV ecosystem name (for OS packages the distribution is appended
    /// by the matcher: `Debian:12`, `Alpine:v3.20`).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Deb => "Debian",
            Ecosystem::Apk => "Alpine",
            Ecosystem::Rpm => "Red Hat",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::Go => "Go",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
        }
    }

    /// True for packages managed by the operating system's package manager.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The binary package name (dpkg `Package:`), or the language package name
    /// (Maven: `group:artifact`; Go: module path; Go toolchain: `stdlib`).
    pub name: String,
    pub version: String,
    /// Package URL (`pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12`).
    pub purl: String,
    /// The source package for OS packages (dpkg `Source:`, apk origin, rpm source rpm name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// The source package version when it differs from `version` (dpkg `Source: name (version)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Where it was found: the database or manifest file, or the binary (absolute in the image).
    pub path: String,
    /// Digest of the layer that added (last wrote) that file, when scanning an image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// The operating system, from `/etc/os-release` (or `/usr/lib/os-release`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRelease {
    /// `ID` (debian, ubuntu, alpine, rhel, ...).
    pub id: String,
    /// `VERSION_ID` (12, 22.04, 3.20.1).
    #[serde(default)]
    pub version_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
}

/// Everything a scan found to be installed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<OsRelease>,
    pub packages: Vec<Package>,
}
