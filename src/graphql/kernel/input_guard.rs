//! Checks every value a client sends before anything runs (from the schema's extension in
//! `cost.rs`, so on every transport): each string (argument literals in the document, at any depth, and every
//! variable) must pass [`text::check`], and each integer must fit GraphQL's 32-bit `Int`.
//!
//! async-graphql parses an argument only when its field is resolved, so a bad value under a
//! field that is never reached (a child of a `null` object) would otherwise pass unnoticed; and
//! a NUL character would reach PostgreSQL, which refuses it. The schema has no `Float` or `JSON`
//! inputs, so every number a client sends is an `Int`.

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Number, Positioned, Value as ConstValue};
use async_graphql::{ServerError, Variables};
use async_graphql_value::Value;

use crate::domain::text;

/// A refused input value: the path to it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Field path: response keys, then the argument and its nested input fields; for a variable
    /// `["$name", …]`.
    pub field: Vec<String>,
    pub message: String,
}

impl Refusal {
    /// The top-level error: BAD_USER_INPUT with the path in `extensions.field`.
    pub fn into_server_error(self) -> ServerError {
        let mut err = ServerError::new(self.message, None);
        let ext = err.extensions.get_or_insert_with(Default::default);
        ext.set("code", crate::error::ErrorCode::BadUserInput.as_str());
        ext.set(
            "field",
            async_graphql::Value::List(self.field.into_iter().map(Into::into).collect()),
        );
        err
    }
}

/// The first refused value of a parsed request, if any.
pub fn check(doc: &ExecutableDocument, variables: &Variables) -> Result<(), Refusal> {
    for (name, value) in variables.iter() {
        let mut path = vec![format!("${name}")];
        const_value(value, &mut path)?;
    }
    let mut path = Vec::new();
    match &doc.operations {
        DocumentOperations::Single(op) => selection_set(&op.node.selection_set.node, &mut path)?,
        DocumentOperations::Multiple(ops) => {
            for op in ops.values() {
                selection_set(&op.node.selection_set.node, &mut path)?;
            }
        }
    }
    for fragment in doc.fragments.values() {
        selection_set(&fragment.node.selection_set.node, &mut path)?;
    }
    Ok(())
}

fn selection_set(set: &SelectionSet, path: &mut Vec<String>) -> Result<(), Refusal> {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                let f = &f.node;
                path.push(f.response_key().node.to_string());
                directives(&f.directives, path)?;
                arguments(&f.arguments, path)?;
                selection_set(&f.selection_set.node, path)?;
                path.pop();
            }
            Selection::FragmentSpread(s) => directives(&s.node.directives, path)?,
            Selection::InlineFragment(i) => {
                directives(&i.node.directives, path)?;
                selection_set(&i.node.selection_set.node, path)?;
            }
        }
    }
    Ok(())
}

fn directives(list: &[Positioned<Directive>], path: &mut Vec<String>) -> Result<(), Refusal> {
    for d in list {
        arguments(&d.node.arguments, path)?;
    }
    Ok(())
}

fn arguments(
    args: &[(Positioned<Name>, Positioned<Value>)],
    path: &mut Vec<String>,
) -> Result<(), Refusal> {
    for (name, value) in args {
        path.push(name.node.to_string());
        // Variables inside a literal are checked with the variables; here they read as null.
        let Ok(literal) = value
            .node
            .clone()
            .into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null));
        const_value(&literal, path)?;
        path.pop();
    }
    Ok(())
}

fn refuse(path: &[String], why: &str) -> Refusal {
    let name = path.last().map_or("the value", String::as_str);
    Refusal {
        field: path.to_vec(),
        message: format!("{name} {why}"),
    }
}

fn string(s: &str, path: &[String]) -> Result<(), Refusal> {
    text::check(s).map_err(|why| refuse(path, why))
}

fn number(n: &Number, path: &[String]) -> Result<(), Refusal> {
    let out_of_range = match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => i32::try_from(i).is_err(),
        (None, Some(_)) => true,
        (None, None) => false,
    };
    if out_of_range {
        return Err(refuse(
            path,
            "is out of range for Int (a 32-bit integer, at most 2147483647)",
        ));
    }
    Ok(())
}

fn const_value(value: &ConstValue, path: &mut Vec<String>) -> Result<(), Refusal> {
    match value {
        ConstValue::String(s) => string(s, path),
        ConstValue::Number(n) => number(n, path),
        ConstValue::List(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                const_value(v, path)?;
                path.pop();
            }
            Ok(())
        }
        ConstValue::Object(fields) => {
            for (k, v) in fields {
                path.push(k.to_string());
                const_value(v, path)?;
                path.pop();
            }
            Ok(())
        }
        ConstValue::Null | ConstValue::Boolean(_) | ConstValue::Enum(_) | ConstValue::Binary(_) => {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(query: &str, vars: serde_json::Value) -> Result<(), Refusal> {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        check(&doc, &Variables::from_json(vars))
    }

    #[test]
    fn nul_in_a_nested_literal_names_its_path() {
        let r = run(
            r#"mutation { productUpdate(input: {id: "x", description: "a\u0000b"}) { userErrors { code } } }"#,
            serde_json::json!({}),
        );
        assert_eq!(
            r.map_err(|r| r.field),
            Err(vec![
                "productUpdate".to_owned(),
                "input".to_owned(),
                "description".to_owned()
            ])
        );
    }

    #[test]
    fn nul_in_a_variable_and_overrides_are_refused_line_breaks_are_not() {
        let q = "mutation($u: String!) { login(input: {username: $u, password: \"p\"}) { accessToken } }";
        assert!(run(q, serde_json::json!({ "u": "a\u{0}b" })).is_err());
        assert!(run(q, serde_json::json!({ "u": "ab\u{202e}c" })).is_err());
        assert!(run(q, serde_json::json!({ "u": "two\nlines" })).is_ok());
    }

    #[test]
    fn ints_beyond_32_bits_are_refused_even_under_unresolved_fields() {
        let q = r#"{ member(id: "x") { pointsLedger(first: 107884963380) { totalCount } } }"#;
        assert_eq!(
            run(q, serde_json::json!({})).map_err(|r| r.field),
            Err(vec![
                "member".to_owned(),
                "pointsLedger".to_owned(),
                "first".to_owned()
            ])
        );
        assert!(run("{ a(first: 2147483647) { b } }", serde_json::json!({})).is_ok());
        assert!(run("{ a(first: -2147483649) { b } }", serde_json::json!({})).is_err());
        assert!(
            run(
                "query($n: Int) { a(first: $n) { b } }",
                serde_json::json!({ "n": 4294967296u64 })
            )
            .is_err()
        );
    }
}
