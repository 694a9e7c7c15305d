//! XL006: an attack path: a workload reachable from outside its namespace
//! that mounts the token of a service account able to read Secrets, create
//! or exec into pods, impersonate, or do anything.

use crate::join::Joined;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "XL006",
    slug: "reachable-powerful-service-account",
    title: "Attack path: a reachable workload whose token can escalate",
    severity: Severity::High,
    layer: "cross-layer",
    tags: &["cross-layer", "attack-path", "network", "rbac"],
    default_enabled: true,
    what: "A workload is reachable from outside its own namespace (as XL005 decides), its pods mount a service-account token (`automountServiceAccountToken` not false on the pod or the ServiceAccount), and the RBAC authorizer grants that service account one of: `*` on `*`, get or list Secrets, create pods, create pods/exec, impersonate users — in its namespace or cluster-wide. The finding prints the chain with the binding and role that grant the right.",
    why: "The token is a file in every container of the pod. One request-smuggling, SSRF or RCE bug in a reachable application hands the attacker that file, and with it every Secret the role can read (database passwords, other tokens) or the power to start a privileged pod of their own: lateral movement from one bug to the namespace or the cluster.",
    fix: "Set `automountServiceAccountToken: false` where the application does not call the API; give it its own service account with only the verbs it uses (`bulkhead audit roles` derives them from observed use); and admit only its callers with a NetworkPolicy.",
    example: "# deploy.yaml (serviceAccountName: app), no NetworkPolicy\n# rbac.yaml: RoleBinding app → Role reading secrets\nkind: Role\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [get, list]\n",
    example_fixed: "# deploy.yaml\nspec:\n  automountServiceAccountToken: false\n",
    equivalents: &[eq(
        "Kubescape",
        "attack path (exposed workload + sensitive RBAC)",
    )],
    references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::CrossLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(j: &Joined<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &j.workloads {
        let (Some(entry), Some(power)) = (w.exposure.first(), w.powers.first()) else {
            continue;
        };
        if !w.token_mounted {
            continue;
        }
        let Some(c) = w.containers.first() else {
            continue;
        };
        let steps = vec![
            format!("{}: {entry}", w.display()),
            format!(
                "its pods mount the token of service account {}/{}",
                w.namespace(),
                w.service_account
            ),
            power.clone(),
        ];
        out.push(
            super::at_image(
                &RULE,
                c,
                format!(
                    "attack path: {} is {entry}, and its token can {}",
                    w.display(),
                    power
                        .split_once(" can ")
                        .map_or(power.as_str(), |(_, rest)| rest)
                ),
            )
            .with_evidence("attack_path", super::path(&steps))
            .with_evidence("rights", w.powers.join("; ")),
        );
    }
    out
}
