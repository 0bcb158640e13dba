//! Atomic file writes: every file the crate writes goes through [`write_atomic`].
//!
//! The bytes go to a temporary file created in the target's own directory (so the final rename never
//! crosses a file system); only after the last byte is written, flushed and synced is the temporary
//! file renamed over the target. An error at any point (a failed check inside the writer closure, a
//! full disk, a file-size limit) removes the temporary file and leaves the target exactly as it was:
//! a previous output is never truncated to zero bytes or cut mid-row.
//!
//! Temporary files are managed by the `tempfile` crate (created with an unpredictable name, removed
//! on drop, persisted with an atomic rename). A signal ends a process without running destructors,
//! so the temporary files of writes in progress are also listed in a process-wide registry, which
//! [`remove_unfinished_outputs`] empties (the `compind` binary calls it on SIGINT, SIGTERM and SIGHUP
//! before it exits).
//!
//! A target that exists and is not a regular file (a terminal, `/dev/stdout`, `/dev/null`, a named
//! pipe) is written directly instead: it has no contents to protect, and renaming a file over it
//! would replace the device or pipe itself. A target that is a directory is an error.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};

use super::path_name;

/// Write a file atomically: `body` writes into a buffered temporary file in the target's directory,
/// which replaces `path` only when `body` returned `Ok` and every byte reached the disk.
///
/// If `path` is a symbolic link, the link's target is replaced (the link itself is kept), so writing
/// through a link behaves as an in-place write would, but atomically. If `path` (or what it links
/// to) exists and is neither a regular file nor a directory (a terminal, `/dev/stdout`, `/dev/null`,
/// a named pipe), the bytes are written to it directly: such a target is never replaced. The path
/// `/dev/stdout` is the process's standard output, written through its descriptor whatever it is
/// (so `>> file` appends and a redirected regular file is not replaced).
///
/// # Errors
/// Whatever `body` returns (the target is then untouched), or [`Error::Io`] naming `path` if it is a
/// directory, or if the temporary file cannot be created, written, synced or renamed (a missing
/// directory, no permission, a full disk), or a device or pipe cannot be opened or written.
///
/// # Examples
/// ```
/// use composite_indicators::{io::write_atomic, Error};
/// use std::io::Write;
/// let io = |e| Error::Io { path: "out.txt".into(), source: e };
/// let dir = std::env::temp_dir().join("ci_atomic_doc");
/// std::fs::create_dir_all(&dir).unwrap();
/// let p = dir.join("out.txt");
/// write_atomic(&p, |w| w.write_all(b"first\n").map_err(io)).unwrap();
/// // A failing writer leaves the previous file untouched.
/// let failed = write_atomic(&p, |w| {
///     w.write_all(b"half a row").map_err(io)?;
///     Err(Error::EmptyFramework)
/// });
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read_to_string(&p).unwrap(), "first\n");
/// ```
pub fn write_atomic<F>(path: impl AsRef<Path>, body: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let path = path.as_ref();
    let io_err = |source: std::io::Error| Error::Io {
        path: path_name(path),
        source,
    };
    let (target, dir) = match resolve(path).map_err(io_err)? {
        // the process's own standard output: written through its file descriptor (a shell's `>>`
        // appends, `>` truncates, a pipe streams), never renamed over or reopened
        Target::Stdout => {
            let mut w = BufWriter::new(std::io::stdout().lock());
            body(&mut w)?;
            return w.flush().map_err(io_err);
        }
        // a device, terminal or pipe: write to it, never rename over it
        Target::Direct => {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(io_err)?;
            let mut w = BufWriter::new(f);
            body(&mut w)?;
            return w.flush().map_err(io_err);
        }
        Target::Replace { target, dir } => (target, dir),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ci-tmp-");
    // A new output gets the permissions `File::create` would give it (0666 less the umask, which the
    // kernel applies), not tempfile's private 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder.tempfile_in(&dir).map_err(io_err)?;
    let listed = Unfinished::list(tmp.path());
    let mut w = BufWriter::new(tmp);
    body(&mut w)?;
    w.flush().map_err(io_err)?;
    let tmp = w.into_inner().map_err(|e| io_err(e.into_error()))?;
    tmp.as_file().sync_all().map_err(io_err)?;
    // Keep the permissions of a file we replace.
    if let Ok(meta) = std::fs::metadata(&target) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    let staged = Staged {
        tmp,
        target,
        path: path.to_path_buf(),
        listed,
    };
    // inside an output batch, the rename waits for the batch's commit
    let alone = BATCH.with(|b| match b.borrow_mut().as_mut() {
        Some(batch) => {
            batch.push(staged);
            None
        }
        None => Some(staged),
    });
    alone.map_or(Ok(()), |s| rename_all(vec![s]))
}

/// Rename `staged` into place in order, as one step against a signal handler's clean-up (the
/// registry's lock): each output is whole at its path, or its temporary file is gone. After a
/// failed rename the later files are removed, the earlier ones stay.
fn rename_all(staged: Vec<Staged>) -> Result<()> {
    let registry = unfinished();
    if CLOSED.load(Ordering::SeqCst) {
        drop(registry);
        return Err(Error::Cancelled);
    }
    let mut result = Ok(());
    let mut done = Vec::with_capacity(staged.len());
    for mut s in staged {
        if result.is_ok() {
            match s.tmp.persist(&s.target) {
                Ok(_) => s.listed.committed = true,
                Err(e) => {
                    result = Err(Error::Io {
                        path: path_name(&s.path),
                        source: e.error,
                    });
                }
            }
        }
        done.push(s.listed);
    }
    drop(registry);
    // unlist (and remove what was not renamed) outside the lock
    drop(done);
    result
}

/// A written, synced temporary file waiting for its batch's commit.
struct Staged {
    tmp: tempfile::NamedTempFile,
    /// The path renamed over (links followed).
    target: PathBuf,
    /// The path as given (for error messages).
    path: PathBuf,
    listed: Unfinished,
}

thread_local! {
    /// The open [`OutputBatch`] of this thread, if any.
    static BATCH: std::cell::RefCell<Option<Vec<Staged>>> = const { std::cell::RefCell::new(None) };
}

/// The outputs of one run, committed together: while a batch is open, every [`write_atomic`] on the
/// thread that opened it writes and syncs its temporary file as usual but leaves it unrenamed;
/// [`OutputBatch::commit`] renames them all, and dropping the batch without committing removes them,
/// so a run that fails after writing its first output (a second output on a full disk, a device that
/// refuses the bytes) leaves every file as it was. Targets written directly (standard output, a
/// device or pipe) are written at once: they have nothing to protect.
///
/// The renames of a commit happen one after the other (a file system offers no rename of several
/// files at once); each is atomic, and one can fail only if the directory changes under the run
/// (then the outputs renamed before it stay and the error names the one that failed).
///
/// # Errors
///
/// See [`OutputBatch::begin`] and [`OutputBatch::commit`].
///
/// # Examples
///
/// ```
/// use composite_indicators::io::{OutputBatch, write_atomic};
/// use composite_indicators::Error;
/// use std::io::Write;
/// let dir = std::env::temp_dir().join("ci_batch_doc");
/// std::fs::create_dir_all(&dir).unwrap();
/// let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
/// let _ = (std::fs::remove_file(&a), std::fs::remove_file(&b));
/// let io = |e| Error::Io { path: "a.csv".into(), source: e };
/// // the second output fails: neither is written
/// let batch = OutputBatch::begin().unwrap();
/// write_atomic(&a, |w| w.write_all(b"x\n").map_err(io)).unwrap();
/// assert!(write_atomic(&b, |_| Err(Error::EmptyFramework)).is_err());
/// drop(batch);
/// assert!(!a.exists() && !b.exists());
/// // both succeed: both appear at the commit
/// let batch = OutputBatch::begin().unwrap();
/// write_atomic(&a, |w| w.write_all(b"x\n").map_err(io)).unwrap();
/// write_atomic(&b, |w| w.write_all(b"y\n").map_err(io)).unwrap();
/// assert!(!a.exists());
/// batch.commit().unwrap();
/// assert!(a.exists() && b.exists());
/// ```
#[derive(Debug)]
pub struct OutputBatch {
    /// Not `Send`: the batch belongs to the thread whose writes it holds.
    _thread: std::marker::PhantomData<*const ()>,
}

impl OutputBatch {
    /// Open a batch on this thread.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] if this thread has a batch open already (batches do not nest).
    pub fn begin() -> Result<OutputBatch> {
        BATCH.with(|b| {
            let mut b = b.borrow_mut();
            if b.is_some() {
                return Err(Error::Incompatible {
                    what: "output batch".into(),
                    reason: "this thread has a batch open already".into(),
                });
            }
            *b = Some(Vec::new());
            Ok(OutputBatch {
                _thread: std::marker::PhantomData,
            })
        })
    }

    /// How many outputs wait for [`OutputBatch::commit`] (written and synced, not renamed yet).
    ///
    /// # Examples
    ///
    /// ```
    /// let batch = composite_indicators::io::OutputBatch::begin().unwrap();
    /// assert_eq!(batch.staged(), 0);
    /// ```
    pub fn staged(&self) -> usize {
        BATCH.with(|b| b.borrow().as_ref().map_or(0, Vec::len))
    }

    /// Rename every staged output into place, in the order written.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the output whose rename failed (the later ones are removed, the earlier
    /// ones stay); [`Error::Cancelled`] after [`remove_unfinished_outputs`].
    pub fn commit(self) -> Result<()> {
        rename_all(BATCH.with(|b| b.borrow_mut().take()).unwrap_or_default())
    }
}

impl Drop for OutputBatch {
    fn drop(&mut self) {
        // not committed: the staged temporary files go (each `Unfinished` removes its file); after
        // a commit there is nothing left to take
        drop(BATCH.with(|b| b.borrow_mut().take()));
    }
}

/// Temporary files of the writes in progress ([`remove_unfinished_outputs`]).
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set by [`remove_unfinished_outputs`]: no write commits afterwards.
static CLOSED: AtomicBool = AtomicBool::new(false);

fn unfinished() -> MutexGuard<'static, Vec<PathBuf>> {
    UNFINISHED.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary file listed in [`UNFINISHED`] while its write is in progress; on drop it leaves the
/// list, and (unless committed) is removed first, so no moment exists where it is on disk but not
/// listed.
struct Unfinished {
    path: PathBuf,
    committed: bool,
}

impl Unfinished {
    fn list(path: &Path) -> Unfinished {
        unfinished().push(path.to_path_buf());
        Unfinished {
            path: path.to_path_buf(),
            committed: false,
        }
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        let mut list = unfinished();
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
        if let Some(i) = list.iter().position(|p| *p == self.path) {
            list.swap_remove(i);
        }
    }
}

/// Remove the temporary files of every [`write_atomic`] in progress in this process, and make every
/// write still running or started later fail with [`Error::Cancelled`] instead of committing (call
/// it on the way out only): for a handler of SIGINT / SIGTERM that ends the process (a signal ends
/// it without running destructors, which would leave `.ci-tmp-*` files beside the outputs). Outputs
/// already renamed into place stay; no output is ever left half-written. Returns how many files it
/// removed.
///
/// Call it from an ordinary thread (as `signal-hook`'s `Signals` iterator delivers signals on one),
/// not from inside an async-signal context: it takes a lock, which waits for a rename in progress.
///
/// # Errors
///
/// None: a temporary file that cannot be removed (already gone) is skipped.
///
/// # Examples
///
/// ```no_run
/// // in a program's signal thread (`compind` uses `signal-hook`'s `Signals` iterator), then end by
/// // the signal:
/// let removed = composite_indicators::io::remove_unfinished_outputs();
/// assert_eq!(removed, 0); // nothing was being written
/// ```
pub fn remove_unfinished_outputs() -> usize {
    let mut list = unfinished();
    CLOSED.store(true, Ordering::SeqCst);
    list.drain(..)
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// How [`write_atomic`] writes to a path.
enum Target {
    /// `/dev/stdout`: through the process's standard output.
    Stdout,
    /// An existing device, terminal or pipe: opened and written directly.
    Direct,
    /// A regular file (new, or replaced): a temporary file in `dir` renamed over `target` (the path
    /// with symbolic links followed).
    Replace { target: PathBuf, dir: PathBuf },
}

/// The [`Target`] of `path`: an error for a directory, or for a file whose directory is missing.
fn resolve(path: &Path) -> std::io::Result<Target> {
    if path == Path::new("/dev/stdout") {
        return Ok(Target::Stdout);
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory (give a file name)",
            ));
        }
        Ok(meta) if !meta.is_file() => return Ok(Target::Direct),
        _ => {}
    }
    // Follow a symlink so the link keeps pointing at the (replaced) file.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("directory `{}` does not exist", dir.display()),
        ));
    }
    Ok(Target::Replace { target, dir })
}

/// Check, before anything is computed, that [`write_atomic`] can write `path`: it is not a
/// directory, and for a regular file its directory exists and takes new files (a temporary probe
/// file is created there and removed). Devices, pipes and `/dev/stdout` pass. A program with several
/// outputs checks them all first, so it never stops after writing some of them for these reasons.
///
/// # Errors
/// [`Error::Io`] naming `path`: a directory, a missing directory, or a directory that refuses the
/// probe file (no permission, read-only file system).
///
/// # Examples
/// ```
/// use composite_indicators::io::check_output_path;
/// let dir = std::env::temp_dir();
/// assert!(check_output_path(dir.join("new_output.csv")).is_ok());
/// assert!(check_output_path(&dir).is_err()); // a directory
/// assert!(check_output_path(dir.join("no/such/dir/out.csv")).is_err());
/// ```
pub fn check_output_path(path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let io_err = |source: std::io::Error| Error::Io {
        path: path_name(path),
        source,
    };
    if let Target::Replace { dir, .. } = resolve(path).map_err(io_err)? {
        tempfile::Builder::new()
            .prefix(".ci-tmp-")
            .tempfile_in(&dir)
            .map_err(|e| {
                io_err(std::io::Error::new(
                    e.kind(),
                    format!("cannot write in directory `{}`: {e}", dir.display()),
                ))
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(e: std::io::Error) -> Error {
        Error::Io {
            path: "test".into(),
            source: e,
        }
    }

    /// Batches do not nest; a batch dropped uncommitted leaves no file (temporary or not), and a
    /// direct target (a device) is written at once.
    #[test]
    fn batches_do_not_nest_and_leave_nothing_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let batch = OutputBatch::begin().unwrap();
        assert!(matches!(
            OutputBatch::begin(),
            Err(Error::Incompatible { .. })
        ));
        write_atomic(dir.path().join("a.csv"), |w| {
            w.write_all(b"a\n").map_err(io)
        })
        .unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "staged");
        write_atomic("/dev/null", |w| w.write_all(b"x").map_err(io)).unwrap();
        drop(batch);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // the thread can open a new one, and writes outside a batch commit at once again
        let batch = OutputBatch::begin().unwrap();
        drop(batch);
        write_atomic(dir.path().join("b.csv"), |w| {
            w.write_all(b"b\n").map_err(io)
        })
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("b.csv")).unwrap(),
            "b\n"
        );
    }

    #[test]
    fn replaces_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "old\n").unwrap();
        let r = write_atomic(&p, |w| {
            w.write_all(b"new partial").map_err(io)?;
            Err(Error::EmptyFramework)
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");
        write_atomic(&p, |w| w.write_all(b"new\n").map_err(io)).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_directory_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/a.csv");
        let e = write_atomic(&p, |w| w.write_all(b"x").map_err(io)).unwrap_err();
        assert!(e.to_string().contains("a.csv"), "{e}");
        // the message names the missing directory, not a temporary file
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(!e.to_string().contains(".ci-tmp"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_permissions_file_create_gives() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.csv");
        std::fs::File::create(&plain).unwrap();
        let atomic = dir.path().join("atomic.csv");
        write_atomic(&atomic, |w| w.write_all(b"x").map_err(io)).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&atomic), mode(&plain));
    }

    #[test]
    fn a_directory_is_an_error_and_stays() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_atomic(dir.path(), |w| w.write_all(b"x").map_err(io)).unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
        assert!(dir.path().is_dir());
    }

    /// `/dev/null` (a character device) is written to, not replaced by a regular file; a named
    /// pipe gets the bytes through its reader.
    #[cfg(unix)]
    #[test]
    fn devices_and_pipes_are_written_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = std::path::Path::new("/dev/null");
        if null.exists() {
            write_atomic(null, |w| w.write_all(b"discarded\n").map_err(io)).unwrap();
            let t = std::fs::metadata(null).unwrap().file_type();
            assert!(t.is_char_device(), "{t:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let f2 = fifo.clone();
            let reader = std::thread::spawn(move || std::fs::read_to_string(f2).unwrap());
            write_atomic(&fifo, |w| w.write_all(b"through the pipe\n").map_err(io)).unwrap();
            assert_eq!(reader.join().unwrap(), "through the pipe\n");
            let t = std::fs::symlink_metadata(&fifo).unwrap().file_type();
            assert!(t.is_fifo(), "{t:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, |w| w.write_all(b"new").map_err(io)).unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
