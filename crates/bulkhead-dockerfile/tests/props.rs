//! Property tests: the Dockerfile parser and the shell reader never panic,
//! and every non-empty instruction line becomes exactly one instruction.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_dockerfile::{parser::parse, shell::commands};
use proptest::prelude::*;

proptest! {
    #[test]
    fn parser_never_panics(s in "\\PC{0,400}") {
        let _ = parse(&s);
    }

    #[test]
    fn parser_never_panics_on_dockerfile_soup(parts in prop::collection::vec(prop_oneof![
        Just("FROM a\n"), Just("RUN "), Just("<<EOF"), Just("EOF\n"), Just("<<-'X'"), Just("\tX\n"), Just("\\\n"), Just("`\n"),
        Just("# escape=`\n"), Just("# syntax=x\n"), Just("COPY --from=b "), Just("[\"a\", \"b\"]"), Just("ENV a=b "),
        Just("ONBUILD "), Just("HEALTHCHECK CMD x"), Just("\n"), Just(" "), Just("\""), Just("'"),
    ], 0..40)) {
        let _ = parse(&parts.concat());
    }

    #[test]
    fn one_instruction_per_line(lines in prop::collection::vec(
        ("(FROM|RUN|COPY|USER|WORKDIR|EXPOSE|CMD)", "[a-z0-9 ./_-]{1,20}"), 1..20)) {
        let src: String = lines.iter().map(|(k, v)| format!("{k} x{v}\n")).collect();
        let p = parse(&src).expect("valid");
        prop_assert_eq!(p.instructions.len(), lines.len());
        for (i, inst) in p.instructions.iter().enumerate() {
            prop_assert_eq!(inst.start_line as usize, i + 1);
            prop_assert_eq!(&inst.keyword, &lines[i].0);
        }
    }

    #[test]
    fn shell_reader_never_panics(s in "\\PC{0,300}") {
        let _ = commands(&s);
    }

    #[test]
    fn and_chains_split(words in prop::collection::vec("[a-z]{1,8}".prop_filter("not a shell keyword", |w| {
        !matches!(w.as_str(), "do" | "done" | "then" | "else" | "if" | "fi" | "while")
    }), 1..10)) {
        let script = words.join(" && ");
        let cmds = commands(&script);
        prop_assert_eq!(cmds.len(), words.len());
    }
}
