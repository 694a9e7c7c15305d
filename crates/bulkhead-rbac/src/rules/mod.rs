//! The RBAC rules, one file per rule (ruff's model): each holds its
//! `RuleMeta` (what, why — the concrete attack —, fix, equivalents,
//! references) next to its check. RBAC001–RBAC014 are dangerous rights,
//! declared as [`Right`]s (a rule family over the analysis' shared
//! role × right matches); the others are [`FnRule`]s with their own check.
//! [`REGISTRY`] is the one list the catalogue, the engine and the fixture
//! test read.

use crate::Rbac;
use crate::rights::Right;
use bulkhead_core::{Registry, RuleMeta};

pub mod admission_webhooks;
pub mod anonymous_binding;
pub mod approve_csr;
pub mod bind_roles;
pub mod cluster_admin_binding;
pub mod create_pv;
pub mod create_workloads;
pub mod escalate_roles;
pub mod escalation_path;
pub mod exec_pods;
pub mod impersonate;
pub mod ineffective_grant;
pub mod modify_namespaces;
pub mod node_proxy;
pub mod port_forward;
pub mod read_secrets;
pub mod sa_token;
pub mod wildcard;
pub mod workload_sa;

pub(crate) const GOOD_PRACTICES: &str =
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";
pub(crate) const RBAC_DOC: &str = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/";

/// The dangerous rights, in id order.
pub static RIGHTS: &[&Right] = &[
    &read_secrets::RIGHT,
    &create_workloads::RIGHT,
    &exec_pods::RIGHT,
    &port_forward::RIGHT,
    &node_proxy::RIGHT,
    &escalate_roles::RIGHT,
    &bind_roles::RIGHT,
    &impersonate::RIGHT,
    &sa_token::RIGHT,
    &approve_csr::RIGHT,
    &admission_webhooks::RIGHT,
    &create_pv::RIGHT,
    &modify_namespaces::RIGHT,
    &wildcard::RIGHT,
];

/// Every RBAC rule, in id order.
pub static REGISTRY: Registry<Rbac> = Registry::new(&[
    &read_secrets::RIGHT,
    &create_workloads::RIGHT,
    &exec_pods::RIGHT,
    &port_forward::RIGHT,
    &node_proxy::RIGHT,
    &escalate_roles::RIGHT,
    &bind_roles::RIGHT,
    &impersonate::RIGHT,
    &sa_token::RIGHT,
    &approve_csr::RIGHT,
    &admission_webhooks::RIGHT,
    &create_pv::RIGHT,
    &modify_namespaces::RIGHT,
    &wildcard::RIGHT,
    &cluster_admin_binding::CHECK,
    &anonymous_binding::CHECK,
    &escalation_path::CHECK,
    &workload_sa::CHECK,
    &ineffective_grant::CHECK,
]);

/// Every rule of this crate, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    REGISTRY.metas()
}

/// The right whose rule has this id.
pub fn right_by_id(id: &str) -> Option<(usize, &'static Right)> {
    RIGHTS
        .iter()
        .enumerate()
        .find(|(_, r)| r.rule.id == id)
        .map(|(i, r)| (i, *r))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_documented() {
        let rules = super::rules();
        for r in &rules {
            assert!(r.id.starts_with("RBAC"), "{}", r.id);
            assert!(r.has_tag("rbac"), "{}", r.id);
            assert_eq!(r.layer, "kubernetes");
            assert!(
                !r.what.is_empty() && !r.why.is_empty() && !r.fix.is_empty(),
                "{}",
                r.id
            );
            assert!(!r.references.is_empty(), "{}", r.id);
        }
        // Catalogue::extend panics on a duplicate id.
        let mut c = bulkhead_core::Catalogue::new();
        c.extend(&rules);
        assert_eq!(c.rules().len(), 19);
        // Every dangerous right is a registered rule.
        for right in super::RIGHTS {
            assert!(
                rules.iter().any(|r| std::ptr::eq(*r, right.rule)),
                "{}",
                right.rule.id
            );
        }
    }
}
