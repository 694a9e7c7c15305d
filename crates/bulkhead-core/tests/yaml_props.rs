//! Property tests: the YAML reader never panics, and JSON it reads back is
//! the same value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::yaml::{Limits, parse};
use proptest::prelude::*;

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        (-1_000_000i64..1_000_000).prop_map(|i| serde_json::json!(i)),
        "[a-zA-Z0-9 _.:/-]{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z][a-z0-9]{0,6}", inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC{0,300}") {
        let _ = parse(&s, Limits::default());
    }

    #[test]
    fn never_panics_on_yaml_token_soup(parts in prop::collection::vec(prop_oneof![
        Just("- "), Just(": "), Just("\n"), Just("  "), Just("&a "), Just("*a "), Just("<<: "), Just("{"), Just("}"),
        Just("["), Just("]"), Just(", "), Just("'x'"), Just("\"y\""), Just("key"), Just("|\n"), Just("---\n"), Just("# c\n"),
    ], 0..60)) {
        let _ = parse(&parts.concat(), Limits::default());
    }

    #[test]
    fn json_round_trips(v in json_value()) {
        let text = serde_json::to_string(&v).expect("json");
        let docs = parse(&text, Limits::default()).expect("JSON is YAML");
        let back = docs.first().map(|d| d.root.to_json()).unwrap_or(serde_json::Value::Null);
        prop_assert_eq!(back, v);
    }
}
