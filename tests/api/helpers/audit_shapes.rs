//! The stored shape of every audit entry, pinned by `tests/golden/audit_entries.json`.
//!
//! When a test's app goes away, every audit row it wrote is checked: the action must be in the
//! golden file, and every path of its `before` / `after` JSON (`after.status`,
//! `after.tried[].skuId`, …) with its JSON type must be listed for that action. A change of shape
//! fails the test that wrote it; renaming or retyping a key is a migration of stored rows, not a
//! silent change. After an intended change, run the suite with `ZHANGGUI_BLESS_AUDIT=1` to add
//! the new paths (delete the file first to drop old ones) and review the diff.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde_json::Value;

type Shapes = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/audit_entries.json"
);

/// Serialises blessing runs of parallel tests.
static BLESS: Mutex<()> = Mutex::new(());

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every path of `v` under `prefix` with its type (array elements share `[]`).
fn paths(prefix: &str, v: &Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
    out.entry(prefix.to_owned())
        .or_default()
        .insert(type_of(v).to_owned());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                paths(&format!("{prefix}.{k}"), child, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                paths(&format!("{prefix}[]"), child, out);
            }
        }
        _ => {}
    }
}

/// The shapes of `(action, before_json, after_json)` rows.
pub fn shapes_of(rows: &[(String, Option<String>, Option<String>)]) -> Result<Shapes, String> {
    let mut shapes = Shapes::new();
    for (action, before, after) in rows {
        let entry = shapes.entry(action.clone()).or_default();
        for (side, raw) in [("before", before), ("after", after)] {
            match raw {
                None => {
                    entry
                        .entry(side.to_owned())
                        .or_default()
                        .insert("absent".into());
                }
                Some(raw) => {
                    let v: Value = serde_json::from_str(raw)
                        .map_err(|e| format!("{action}: unreadable {side} JSON: {e}"))?;
                    paths(side, &v, entry);
                }
            }
        }
    }
    Ok(shapes)
}

/// The golden file's text: one line per path, so a diff shows each change of shape.
fn render(shapes: &Shapes) -> String {
    let quote = |s: &str| serde_json::to_string(s).expect("a string serialises");
    let actions: Vec<String> = shapes
        .iter()
        .map(|(action, paths)| {
            let lines: Vec<String> = paths
                .iter()
                .map(|(path, types)| {
                    let types: Vec<String> = types.iter().map(|t| quote(t)).collect();
                    format!("    {}: [{}]", quote(path), types.join(", "))
                })
                .collect();
            format!("  {}: {{\n{}\n  }}", quote(action), lines.join(",\n"))
        })
        .collect();
    format!("{{\n{}\n}}\n", actions.join(",\n"))
}

fn read_golden() -> Shapes {
    std::fs::read_to_string(GOLDEN)
        .ok()
        .map(|s| serde_json::from_str(&s).expect("tests/golden/audit_entries.json is readable"))
        .unwrap_or_default()
}

/// Checks `seen` against the golden file (or adds it there when `bless`). Returns the
/// differences, one line each.
pub fn check(seen: &Shapes, bless: bool) -> Vec<String> {
    if bless {
        let _guard = BLESS.lock().unwrap_or_else(|e| e.into_inner());
        let mut golden = read_golden();
        for (action, paths) in seen {
            let known = golden.entry(action.clone()).or_default();
            for (path, types) in paths {
                known
                    .entry(path.clone())
                    .or_default()
                    .extend(types.iter().cloned());
            }
        }
        std::fs::write(GOLDEN, render(&golden)).expect("write the golden file");
        return Vec::new();
    }
    let golden = read_golden();
    let mut problems = Vec::new();
    for (action, paths) in seen {
        let Some(known) = golden.get(action) else {
            problems.push(format!("{action}: an action the golden file does not know"));
            continue;
        };
        for (path, types) in paths {
            for t in types {
                if !known.get(path).is_some_and(|k| k.contains(t)) {
                    problems.push(format!("{action}: {path} as {t} is not in the golden file"));
                }
            }
        }
    }
    problems
}

/// Reads every audit row of the database at `url` and checks their shapes (on a runtime of its
/// own: it runs from `Drop`). Panics with the differences.
pub fn check_database(url: &str) {
    let url = url.to_owned();
    let outcome = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async move {
            use sea_orm::{ConnectionTrait, Statement};
            let db = sea_orm::Database::connect(url)
                .await
                .map_err(|e| e.to_string())?;
            let sql = "SELECT action, before_json, after_json FROM audit_log ORDER BY id";
            let rows = db
                .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .map_err(|e| e.to_string())?;
            db.close().await.ok();
            let rows: Vec<(String, Option<String>, Option<String>)> = rows
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get("", "action")?,
                        r.try_get("", "before_json")?,
                        r.try_get("", "after_json")?,
                    ))
                })
                .collect::<Result<_, sea_orm::DbErr>>()
                .map_err(|e| e.to_string())?;
            let bless = std::env::var_os("ZHANGGUI_BLESS_AUDIT").is_some();
            Ok::<_, String>(check(&shapes_of(&rows)?, bless))
        })
    })
    .join()
    .unwrap_or_else(|_| Err("the audit shape check panicked".into()));
    match outcome {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => panic!(
            "audit entries whose stored shape is not pinned (bless with ZHANGGUI_BLESS_AUDIT=1 if intended):\n{}",
            problems.join("\n")
        ),
        Err(e) => panic!("could not check audit entries: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_nested_keys_and_array_elements_with_their_types() {
        let rows = vec![(
            "x.y".to_owned(),
            None,
            Some(r#"{"a": 1, "b": [{"c": "s"}, {"c": null}], "d": 1.5}"#.to_owned()),
        )];
        let shapes = shapes_of(&rows).expect("readable");
        let got: Vec<String> = shapes["x.y"]
            .iter()
            .map(|(p, t)| format!("{p}:{}", t.iter().cloned().collect::<Vec<_>>().join("|")))
            .collect();
        assert_eq!(
            got,
            [
                "after:object",
                "after.a:integer",
                "after.b:array",
                "after.b[]:object",
                "after.b[].c:null|string",
                "after.d:number",
                "before:absent"
            ]
        );
    }

    #[test]
    fn an_unknown_key_or_type_is_reported() {
        let rows = vec![(
            "staff.create".to_owned(),
            None,
            Some(r#"{"no_such_key_anywhere": true}"#.to_owned()),
        )];
        let problems = check(&shapes_of(&rows).expect("readable"), false);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("after.no_such_key_anywhere as boolean")),
            "{problems:?}"
        );
    }
}
