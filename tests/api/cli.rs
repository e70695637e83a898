//! The command line as a script or an operator meets it: one clear line on errors, no backtrace.

use std::process::Command;

fn zhanggui() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhanggui"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("ZHANGGUI_JWT_SECRET")
        .env_remove("RUST_LOG");
    cmd
}

fn stderr_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("run zhanggui");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    )
}

#[test]
fn wrong_flags_unreachable_databases_and_short_secrets_fail_with_one_line() {
    let (code, err) = stderr_of(zhanggui().args(["serve", "--bogus"]));
    assert_ne!(code, 0);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--bogus"), "{err}");

    let (code, err) = stderr_of(
        zhanggui()
            .args(["serve"])
            .env("ZHANGGUI_JWT_SECRET", "too-short"),
    );
    assert_ne!(code, 0);
    assert_eq!(err, "error: ZHANGGUI_JWT_SECRET must be at least 32 bytes");

    let (code, err) = stderr_of(zhanggui().args([
        "migrate",
        "--database-url",
        "postgres://nobody:secret@127.0.0.1:1/none",
    ]));
    assert_ne!(code, 0);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "error: cannot connect to the database at postgres://nobody:***@127.0.0.1:1/none"
        ),
        "{err}"
    );
    assert!(
        !err.contains("secret") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn the_schema_command_prints_the_committed_schema() {
    let out = zhanggui()
        .arg("schema")
        .output()
        .expect("run zhanggui schema");
    assert!(out.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "run `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn staff_create_reads_the_password_from_stdin_and_refuses_short_ones() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let run = |password: &str| {
        let mut child = zhanggui()
            .args([
                "staff",
                "create",
                "--username",
                "boss",
                "--role",
                "director",
                "--password-stdin",
                "--database-url",
                &url,
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(password.as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let short = run("short\n");
    assert!(!short.status.success());
    assert_eq!(
        String::from_utf8_lossy(&short.stderr).trim(),
        "error: password must be at least 10 characters"
    );
    let ok = run("a-long-enough-password\n");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("created director `boss`"));
    let again = run("a-long-enough-password\n");
    assert_eq!(
        String::from_utf8_lossy(&again.stderr).trim(),
        "error: input.username: this username is already taken"
    );
}
