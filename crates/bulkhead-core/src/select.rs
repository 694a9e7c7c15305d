//! `--select` / `--ignore`: which rules run.
//!
//! A selector is a rule id (`PSS003`), a slug (`privileged`), an id prefix
//! (`PSS`, `K8S0`) or a tag (`pss`, `restricted`). As in ruff, `--select`
//! replaces the default set and `--ignore` removes from what is selected.
//! Rules that are off by default run only when a selector names them.

use crate::rule::{Catalogue, RuleMeta};

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

/// Does `selector` name `rule`?
pub fn matches(selector: &str, rule: &RuleMeta) -> bool {
    let s = selector.trim();
    if s.is_empty() {
        return false;
    }
    if s.eq_ignore_ascii_case("ALL") {
        return true;
    }
    let upper = s.to_ascii_uppercase();
    rule.id.eq_ignore_ascii_case(s)
        || rule.slug.eq_ignore_ascii_case(s)
        || rule.id.starts_with(&upper)
        || rule.has_tag(s)
}

impl Selection {
    pub fn new(select: Vec<String>, ignore: Vec<String>) -> Self {
        let split = |v: Vec<String>| {
            v.iter()
                .flat_map(|s| s.split(','))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        };
        Selection {
            select: split(select),
            ignore: split(ignore),
        }
    }

    pub fn enabled(&self, rule: &RuleMeta) -> bool {
        let selected = if self.select.is_empty() {
            rule.default_enabled
        } else {
            self.select.iter().any(|s| matches(s, rule))
        };
        selected && !self.ignores(rule)
    }

    /// Does an `ignore` selector name this rule?
    pub fn ignores(&self, rule: &RuleMeta) -> bool {
        self.ignore.iter().any(|s| matches(s, rule))
    }

    /// Does some `select` selector name one of `rules`? (A selection that
    /// names none of a command's rules would run nothing of it.)
    pub fn selects_any(&self, rules: &[&RuleMeta]) -> bool {
        self.select
            .iter()
            .any(|s| rules.iter().any(|r| matches(s, r)))
    }

    /// Selectors that match no rule at all: a typo the user should hear about.
    pub fn unknown(&self, catalogue: &Catalogue) -> Vec<String> {
        self.select
            .iter()
            .chain(self.ignore.iter())
            .filter(|s| !catalogue.rules().iter().any(|r| matches(s, r)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    const fn rule(
        id: &'static str,
        slug: &'static str,
        tags: &'static [&'static str],
        on: bool,
    ) -> RuleMeta {
        RuleMeta {
            id,
            slug,
            title: "",
            severity: Severity::Low,
            layer: "kubernetes",
            tags,
            default_enabled: on,
            what: "",
            why: "",
            fix: "",
            example: "",
            example_fixed: "",
            equivalents: &[],
            references: &[],
        }
    }
    static A: RuleMeta = rule("PSS001", "host-namespaces", &["pss", "baseline"], true);
    static B: RuleMeta = rule("K8S004", "readonly-root-fs", &["hardening"], true);
    static C: RuleMeta = rule("K8S099", "opt-in", &["hardening"], false);

    #[test]
    fn select_by_id_prefix_tag_slug() {
        let s = Selection::new(vec!["pss".into()], vec![]);
        assert!(s.enabled(&A) && !s.enabled(&B));
        let s = Selection::new(vec!["K8S".into()], vec!["readonly-root-fs".into()]);
        assert!(!s.enabled(&A) && !s.enabled(&B) && s.enabled(&C));
        let s = Selection::default();
        assert!(s.enabled(&A) && s.enabled(&B) && !s.enabled(&C));
        let s = Selection::new(vec!["PSS001,K8S004".into()], vec![]);
        assert!(s.enabled(&A) && s.enabled(&B));
    }

    #[test]
    fn unknown_selectors_are_reported() {
        let mut c = Catalogue::new();
        c.extend(&[&A, &B]);
        let s = Selection::new(vec!["pss".into(), "NOPE1".into()], vec![]);
        assert_eq!(s.unknown(&c), vec!["NOPE1".to_string()]);
    }
}
