//! Rule metadata and the catalogue.
//!
//! A rule is one `static RuleMeta` defined in the same file as its check
//! (ruff's model): id, slug, title, default severity, the layer it belongs to,
//! tags, what it checks, why it matters (the concrete attack), how to fix it,
//! the equivalent checks in other tools and references. `bulkhead rules`,
//! `bulkhead explain` and `docs/rules.md` are all generated from these.

use crate::severity::Severity;
use serde::Serialize;
use std::fmt::Write as _;

/// The same check in another tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Equivalent {
    pub tool: &'static str,
    pub id: &'static str,
}

/// Shorthand for building equivalents in rule definitions.
pub const fn eq(tool: &'static str, id: &'static str) -> Equivalent {
    Equivalent { tool, id }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleMeta {
    /// Stable forever; a removed rule's id is never reused.
    pub id: &'static str,
    /// Short kebab-case name, accepted wherever an id is.
    pub slug: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// `image`, `supply-chain`, `runtime` or `kubernetes`.
    pub layer: &'static str,
    pub tags: &'static [&'static str],
    /// Rules that are off unless selected explicitly.
    pub default_enabled: bool,
    /// What it checks.
    pub what: &'static str,
    /// Why it matters: the attack it enables.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// Optional failing example.
    pub example: &'static str,
    /// Optional passing example.
    pub example_fixed: &'static str,
    pub equivalents: &'static [Equivalent],
    pub references: &'static [&'static str],
}

impl RuleMeta {
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    }

    /// The full documentation, as `bulkhead explain` prints it (Markdown).
    pub fn explain(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# {} ({}): {}", self.id, self.slug, self.title);
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Severity: {}   Layer: {}   Tags: {}{}",
            self.severity,
            self.layer,
            self.tags.join(", "),
            if self.default_enabled {
                ""
            } else {
                "   (off by default: enable with --select)"
            }
        );
        let _ = writeln!(s, "\n## What it checks\n{}", self.what.trim());
        let _ = writeln!(s, "\n## Why it matters\n{}", self.why.trim());
        let _ = writeln!(s, "\n## How to fix\n{}", self.fix.trim());
        if !self.example.is_empty() {
            let _ = writeln!(s, "\n## Example\n```\n{}\n```", self.example.trim_end());
        }
        if !self.example_fixed.is_empty() {
            let _ = writeln!(
                s,
                "\n## Use instead\n```\n{}\n```",
                self.example_fixed.trim_end()
            );
        }
        if !self.equivalents.is_empty() {
            let _ = writeln!(s, "\n## Equivalent checks");
            for e in self.equivalents {
                let _ = writeln!(s, "- {}: {}", e.tool, e.id);
            }
        }
        if !self.references.is_empty() {
            let _ = writeln!(s, "\n## References");
            for r in self.references {
                let _ = writeln!(s, "- {r}");
            }
        }
        s
    }
}

/// What one layer's rules read and report. A layer is a marker type in its
/// crate (`bulkhead_dockerfile::Dockerfile`, `bulkhead_kube::Workloads`, ...):
/// every rule of the layer takes the same [`Layer::Input`] and returns the same
/// [`Layer::Output`], so a rule is written against one signature and the
/// layer's engine runs them all the same way.
pub trait Layer: 'static {
    /// What every rule of the layer reads (a parsed model, an engine, ...).
    type Input<'a>;
    /// What a rule reports: a [`crate::Finding`], or a layer-local violation
    /// the engine turns into one (with its location and fix).
    type Output;
    /// The check function's type, spelled out by the layer
    /// (`fn(&Ctx<'_>) -> Vec<Violation>`): Rust cannot yet coerce a function
    /// to a pointer type written through `Input<'a>` under a binder, so the
    /// layer names it and says how to call it.
    type Check: Copy + Send + Sync + 'static;
    fn call(check: Self::Check, input: &Self::Input<'_>) -> Vec<Self::Output>;
}

/// One rule: its metadata and its check. Most rules are a [`FnRule`]; a rule
/// family evaluated by shared data (RBAC's dangerous rights, PSS's versioned
/// checks) implements the trait on that data.
pub trait Rule<L: Layer>: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, input: &L::Input<'_>) -> Vec<L::Output>;
}

/// The common rule: a `static RuleMeta` and a check function, both in the
/// rule's own file.
pub struct FnRule<L: Layer> {
    pub meta: &'static RuleMeta,
    pub check: L::Check,
}

impl<L: Layer> FnRule<L> {
    pub const fn new(meta: &'static RuleMeta, check: L::Check) -> Self {
        FnRule { meta, check }
    }
}

impl<L: Layer> Rule<L> for FnRule<L> {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }
    fn check(&self, input: &L::Input<'_>) -> Vec<L::Output> {
        L::call(self.check, input)
    }
}

/// A layer's rules, assembled from one list in id order. The catalogue, the
/// engine and the fixture test all read this one list.
pub struct Registry<L: Layer> {
    rules: &'static [&'static dyn Rule<L>],
}

impl<L: Layer> Registry<L> {
    pub const fn new(rules: &'static [&'static dyn Rule<L>]) -> Self {
        Registry { rules }
    }

    pub fn rules(&self) -> &'static [&'static dyn Rule<L>] {
        self.rules
    }

    /// The metadata of every rule, in registry order (for [`Catalogue::extend`]).
    pub fn metas(&self) -> Vec<&'static RuleMeta> {
        self.rules.iter().map(|r| r.meta()).collect()
    }

    /// Runs every rule `enabled` accepts, in registry order.
    pub fn run(&self, input: &L::Input<'_>, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<L::Output> {
        let mut out = Vec::new();
        for r in self.rules {
            if enabled(r.meta()) {
                out.extend(r.check(input));
            }
        }
        out
    }
}

/// Every rule bulkhead knows, in a fixed order.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    rules: Vec<&'static RuleMeta>,
    /// Exact id and slug → position, for the per-finding lookups of reporters.
    index: std::collections::HashMap<&'static str, usize>,
}

impl Catalogue {
    pub fn new() -> Self {
        Catalogue::default()
    }

    /// Adds a family of rules. Panics on a duplicate id: that is a programming
    /// error caught by the catalogue test, never input-derived.
    pub fn extend(&mut self, rules: &[&'static RuleMeta]) {
        for r in rules {
            assert!(
                self.get(r.id).is_none(),
                "duplicate rule id {} in the catalogue",
                r.id
            );
            self.index.insert(r.id, self.rules.len());
            self.index.insert(r.slug, self.rules.len());
            self.rules.push(r);
        }
    }

    pub fn rules(&self) -> &[&'static RuleMeta] {
        &self.rules
    }

    /// Looks a rule up by id or slug, case-insensitively.
    pub fn get(&self, key: &str) -> Option<&'static RuleMeta> {
        if let Some(i) = self.index.get(key) {
            return self.rules.get(*i).copied();
        }
        self.rules
            .iter()
            .copied()
            .find(|r| r.id.eq_ignore_ascii_case(key) || r.slug.eq_ignore_ascii_case(key))
    }

    /// The rules reference page (`docs/rules.md`), generated.
    pub fn markdown(&self) -> String {
        let mut s = String::from(
            "<!-- generated by `bulkhead rules --format markdown`; do not edit -->\n# Rules\n\n| id | slug | severity | layer | tags | title |\n|---|---|---|---|---|---|\n",
        );
        for r in &self.rules {
            let _ = writeln!(
                s,
                "| [{}](#{}) | {} | {} | {} | {} | {} |",
                r.id,
                r.id.to_ascii_lowercase(),
                r.slug,
                r.severity,
                r.layer,
                r.tags.join(", "),
                r.title
            );
        }
        for r in &self.rules {
            let _ = writeln!(s, "\n<a id=\"{}\"></a>\n", r.id.to_ascii_lowercase());
            s.push_str(
                &r.explain()
                    .replacen("# ", "## ", 1)
                    .replace("\n## ", "\n### "),
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static R: RuleMeta = RuleMeta {
        id: "T001",
        slug: "test-rule",
        title: "A test rule",
        severity: Severity::High,
        layer: "kubernetes",
        tags: &["pss", "baseline"],
        default_enabled: true,
        what: "Checks things.",
        why: "Attackers do things.",
        fix: "Do not.",
        example: "",
        example_fixed: "",
        equivalents: &[eq("Trivy", "KSV001")],
        references: &["https://example.invalid/doc"],
    };

    struct Words;
    impl Layer for Words {
        type Input<'a> = &'a str;
        type Output = String;
        type Check = fn(&&str) -> Vec<String>;
        fn call(check: Self::Check, input: &&str) -> Vec<String> {
            check(input)
        }
    }
    fn shouts(s: &&str) -> Vec<String> {
        s.split(' ')
            .filter(|w| w.chars().all(|c| c.is_ascii_uppercase()))
            .map(String::from)
            .collect()
    }
    static SHOUTS: FnRule<Words> = FnRule {
        meta: &R,
        check: shouts,
    };
    static REGISTRY: Registry<Words> = Registry::new(&[&SHOUTS]);

    #[test]
    fn registry_runs_enabled_rules() {
        assert_eq!(REGISTRY.metas()[0].id, "T001");
        assert_eq!(REGISTRY.run(&"a LOUD word", &|_| true), vec!["LOUD"]);
        assert!(REGISTRY.run(&"a LOUD word", &|r| r.id != "T001").is_empty());
    }

    #[test]
    fn lookup_by_id_and_slug() {
        let mut c = Catalogue::new();
        c.extend(&[&R]);
        assert_eq!(c.get("t001").map(|r| r.id), Some("T001"));
        assert_eq!(c.get("TEST-RULE").map(|r| r.id), Some("T001"));
        assert!(c.get("T002").is_none());
        let text = R.explain();
        assert!(text.contains("## Why it matters\nAttackers do things."));
        assert!(text.contains("- Trivy: KSV001"));
    }
}
