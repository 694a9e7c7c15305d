//! Unified diffs of a fixed file against its original (`--fix` output of
//! the runtime layer), from `similar`'s Myers diff: linear memory, so a
//! large file cannot blow up the way a quadratic LCS table would.

/// `--- name` / `+++ name` and hunks with 3 lines of context; empty when
/// the texts are equal.
pub fn unified(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_with_context() {
        let d = unified("c.yml", "a\nb\nc\n", "a\nb\nx\nc\n");
        assert_eq!(d, "--- c.yml\n+++ c.yml\n@@ -1,3 +1,4 @@\n a\n b\n+x\n c\n");
        assert_eq!(unified("c.yml", "a\n", "a\n"), "");
    }
}
