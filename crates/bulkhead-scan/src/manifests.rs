//! `bulkhead scan manifests`: fleet scale on Kubernetes itself. A CronJob
//! runs an Indexed Job of N pods; pod i (`JOB_COMPLETION_INDEX`, set by the
//! Job controller) scans the images at positions i, i+N, i+2N, … of the list
//! in a ConfigMap and writes `/reports/<i>.json` to a shared volume;
//! `bulkhead scan merge /reports/*.json` joins the parts. The objects keep
//! PSS restricted and bulkhead's own hardening rules (a test runs `bulkhead
//! k8s --pss restricted` on them): non-root, no privilege escalation, every
//! capability dropped, RuntimeDefault seccomp, read-only root with an
//! emptyDir for /tmp, no API token, requests and limits, a digest-pinned image.

/// What the manifests are made from.
#[derive(Debug, Clone)]
pub struct Spec {
    pub namespace: String,
    /// The bulkhead image, pinned by digest (`name@sha256:…`).
    pub image: String,
    /// Pods per run (the Job's completions and parallelism).
    pub shards: u32,
    pub schedule: String,
    /// The image references to scan, one per line in the ConfigMap.
    pub images: Vec<String>,
    /// Size of the reports volume claim.
    pub storage: String,
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The YAML stream: Namespace, ServiceAccount, ConfigMap, PersistentVolumeClaim, CronJob.
pub fn render(s: &Spec) -> String {
    let ns = q(&s.namespace);
    let mut list = String::new();
    for i in &s.images {
        list.push_str("    ");
        list.push_str(i);
        list.push('\n');
    }
    if s.images.is_empty() {
        list.push_str("    # one image reference per line\n");
    }
    format!(
        r#"# bulkhead scan manifests: {shards} pod(s) per run, each scanning every {shards}th image of
# the ConfigMap's list and writing /reports/<index>.json; join them with
#   bulkhead scan merge /reports/*.json -f policyreport
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: bulkhead-scan
  namespace: {ns}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bulkhead-images
  namespace: {ns}
data:
  images.txt: |
{list}---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: bulkhead-reports
  namespace: {ns}
spec:
  accessModes: [ReadWriteMany]
  resources:
    requests:
      storage: {storage}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: bulkhead-scan
  namespace: {ns}
spec:
  schedule: {schedule}
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      completionMode: Indexed
      completions: {shards}
      parallelism: {shards}
      backoffLimit: 2
      template:
        spec:
          serviceAccountName: bulkhead-scan
          automountServiceAccountToken: false
          restartPolicy: Never
          securityContext:
            runAsNonRoot: true
            runAsUser: 65532
            runAsGroup: 65532
            fsGroup: 65532
            seccompProfile:
              type: RuntimeDefault
          containers:
          - name: scan
            image: {image}
            args: [scan, --images-from, /config/images.txt, --shards, "{shards}", --fail-on, none, -f, json, -o, "/reports/$(JOB_COMPLETION_INDEX).json"]
            env:
            - name: JOB_COMPLETION_INDEX
              valueFrom:
                fieldRef:
                  fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']"
            - name: XDG_CACHE_HOME
              value: /tmp
            resources:
              requests: {{cpu: 500m, memory: 512Mi}}
              limits: {{cpu: "2", memory: 2Gi}}
            livenessProbe:
              exec:
                command: [bulkhead, --version]
              periodSeconds: 60
            readinessProbe:
              exec:
                command: [bulkhead, --version]
              periodSeconds: 60
            securityContext:
              allowPrivilegeEscalation: false
              readOnlyRootFilesystem: true
              runAsNonRoot: true
              capabilities:
                drop: [ALL]
            volumeMounts:
            - {{name: images, mountPath: /config, readOnly: true}}
            - {{name: reports, mountPath: /reports}}
            - {{name: tmp, mountPath: /tmp}}
          volumes:
          - name: images
            configMap:
              name: bulkhead-images
          - name: reports
            persistentVolumeClaim:
              claimName: bulkhead-reports
          - name: tmp
            emptyDir: {{}}
"#,
        shards = s.shards,
        ns = ns,
        list = list,
        storage = q(&s.storage),
        schedule = q(&s.schedule),
        image = q(&s.image),
    )
}

/// The entries of shard `index` of `n` in an image list: every non-blank,
/// non-comment line, deduplicated in order, positions `index`, `index+n`, ….
pub fn shard(list: &str, index: u32, n: u32) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| seen.insert(l.to_string()))
        .enumerate()
        .filter(|(i, _)| n > 0 && u32::try_from(*i).is_ok_and(|i| i % n == index))
        .map(|(_, l)| l.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_list() {
        let list = "# images\na\nb\n\nc\nb\nd\ne\n";
        let parts: Vec<Vec<String>> = (0..3).map(|i| shard(list, i, 3)).collect();
        assert_eq!(parts[0], ["a", "d"]);
        assert_eq!(parts[1], ["b", "e"]);
        assert_eq!(parts[2], ["c"]);
        assert_eq!(shard(list, 0, 1).len(), 5);
    }
}
