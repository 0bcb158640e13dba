//! Helpers for the end-to-end tests of the `compind` binary (`compind`, `compind_panel`,
//! `compind_study`): run it, make a fresh output directory, check its exit code and its one-line
//! errors. Included with `#[path = "common/compind_cli.rs"] mod cli;` by those test files only (it
//! needs `CARGO_BIN_EXE_compind`, which only exists with the `cli` feature).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// COINr's ASEM metadata and data (single year and panel).
pub const IMETA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/asem/iMeta.csv");
pub const IDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/asem/iData.csv");
pub const PANEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/asem/iData_p.csv");

/// Run `compind ARGS...` from the crate root.
pub fn compind(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_compind"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("compind runs")
}

/// A fresh directory per test, under the test binary's own folder of `CARGO_TARGET_TMPDIR`.
pub fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(env!("CARGO_CRATE_NAME"))
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn ok(o: &Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

pub fn text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// Exit code 1 with exactly one line on stderr starting with `error:`; returns the line.
pub fn fails_with_one_line(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

/// Exit code 1 with one line on stderr starting with `error:` that contains `needle`.
pub fn fails_naming(o: &Output, needle: &str) {
    let line = fails_with_one_line(o);
    assert!(line.contains(needle), "`{needle}` not in: {line}");
}
