//! Interrupted writes: a signal ends a process without running destructors, so the temporary files
//! of the outputs being written are listed and removed by `io::remove_unfinished_outputs`, which the
//! `compind` binary calls on SIGINT / SIGTERM / SIGHUP. An output is whole at its path or absent.
//!
//! One test per process state: `remove_unfinished_outputs` closes every later write of the process,
//! so the library test runs alone in this file's process (the CLI test runs a child process).

use std::sync::mpsc;

use composite_indicators::Error;
use composite_indicators::io::{remove_unfinished_outputs, write_atomic};

fn temporaries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ci-tmp-"))
        .collect()
}

/// A write in progress when `remove_unfinished_outputs` runs loses its temporary file and fails with
/// `Cancelled` instead of renaming it into place; the target stays absent.
#[test]
fn unfinished_outputs_are_removed_and_cannot_commit() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.csv");
    let (started, wait_started) = mpsc::channel();
    let (release, wait_release) = mpsc::channel::<()>();
    let t = target.clone();
    let writer = std::thread::spawn(move || {
        write_atomic(&t, |w| {
            w.write_all(b"a,b\n1,2\n").unwrap();
            w.flush().unwrap();
            started.send(()).unwrap();
            wait_release.recv().unwrap();
            w.write_all(b"3,4\n").unwrap();
            Ok(())
        })
    });
    wait_started.recv().unwrap();
    assert_eq!(temporaries(dir.path()).len(), 1, "the write is in progress");
    assert_eq!(remove_unfinished_outputs(), 1);
    assert!(temporaries(dir.path()).is_empty());
    release.send(()).unwrap();
    let r = writer.join().unwrap();
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    assert!(!target.exists());
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    // and any later write of this process fails the same way
    let later = write_atomic(dir.path().join("later.csv"), |w| {
        w.write_all(b"x\n").map_err(|e| Error::Io {
            path: "later.csv".into(),
            source: e,
        })
    });
    assert!(matches!(later, Err(Error::Cancelled)), "{later:?}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

/// `compind` interrupted (SIGINT) ends by that signal, as without a handler (so a shell running it in
/// a script stops there too), and leaves nothing in the output directory. The interrupt lands while
/// the sweep computes; the write phase is covered by the test above (the handler calls the same
/// `remove_unfinished_outputs`) and was checked by hand on a 2M-unit `score` (see the CHANGELOG).
/// Unix only (sends the signal with `kill`).
#[cfg(all(unix, feature = "cli"))]
#[test]
fn an_interrupted_compind_ends_by_the_signal_and_leaves_nothing() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = long_sweep(&dir.path().join("s.json"), libc::SIG_DFL);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "the sweep ended early");
    signal(&child, "-INT");
    let status = wait_at_most(&mut child, 20);
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

/// A signal ignored when `compind` starts (`nohup`, a non-interactive shell's background job) stays
/// ignored: the run goes on after SIGINT, and ends by SIGTERM.
#[cfg(all(unix, feature = "cli"))]
#[test]
fn a_signal_ignored_at_start_stays_ignored() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = long_sweep(&dir.path().join("s.json"), libc::SIG_IGN);
    std::thread::sleep(std::time::Duration::from_millis(500));
    signal(&child, "-INT");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "SIGINT ended the run");
    signal(&child, "-TERM");
    let status = wait_at_most(&mut child, 20);
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
}

/// A sweep of the toy index that runs for minutes, started with SIGINT's disposition `sigint`
/// (`SIG_DFL` or `SIG_IGN`) and SIGTERM's default, whatever the test runner inherited (a CI job
/// started in the background has SIGINT ignored).
#[cfg(all(unix, feature = "cli"))]
fn long_sweep(out: &std::path::Path, sigint: libc::sighandler_t) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_compind"));
    cmd.args([
        "sweep",
        "--spec",
        "data/toy/spec.toml",
        "--data",
        "data/toy/data.csv",
        "--variants",
        "4000000000",
        "--out",
    ])
    .arg(out)
    .stderr(Stdio::null());
    // SAFETY: between fork and exec the closure calls only `signal`, which is async-signal-safe,
    // with valid signal numbers and dispositions.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGINT, sigint);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            Ok(())
        });
    }
    cmd.spawn().unwrap()
}

#[cfg(all(unix, feature = "cli"))]
fn signal(child: &std::process::Child, sig: &str) {
    let sent = std::process::Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// The child's exit status within `secs` seconds; killed and a test failure otherwise (a signal that
/// did not take effect must not hang the test run).
#[cfg(all(unix, feature = "cli"))]
fn wait_at_most(child: &mut std::process::Child, secs: u64) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("compind did not end within {secs} s of the signal");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
