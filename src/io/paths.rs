//! Output-path checks: never let a run overwrite its own inputs or write two outputs to one file.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Refuse a run whose outputs would destroy a file it needs: check, before anything is written, that
/// no output path is the same file as an input path or as another output path.
///
/// Two paths are "the same file" when their resolved forms are equal, or (on Unix) when both exist
/// and share device and inode (hard links). A path is resolved as follows:
/// * an existing path is canonicalised: made absolute, `.` and `..` removed, every symbolic link
///   followed (so an output that is a symlink to an input is caught);
/// * a path that does not exist yet (the usual output) is its canonicalised parent directory joined
///   with its file name (so `out/../data.csv` and `./data.csv` resolve alike); a dangling symbolic
///   link resolves to the link itself;
/// * a path whose parent does not exist either is made absolute against the current directory
///   (writing it will fail later with [`Error::Io`]).
///
/// Paths are compared byte for byte after resolution: on a case-insensitive file system, two
/// spellings of one new file that differ only in case are not caught (existing files are, by
/// canonicalisation or by inode).
///
/// # Errors
/// [`Error::OutputClash`] naming the first output (in the order given) that resolves to an input
/// (checked first) or to an earlier output.
///
/// # Examples
/// ```
/// use composite_indicators::io::check_output_paths;
/// let dir = std::env::temp_dir().join("ci_paths_doc");
/// std::fs::create_dir_all(&dir).unwrap();
/// let data = dir.join("data.csv");
/// std::fs::write(&data, "uCode,x\nA,1\n").unwrap();
/// let out = dir.join("scores.csv");
/// assert!(check_output_paths(&[&data], &[&out]).is_ok());
/// // the same file under another spelling
/// let again = dir.join(".").join("data.csv");
/// let err = check_output_paths(&[&data], &[&again]).unwrap_err();
/// assert!(err.to_string().contains("is the same file as input"));
/// // two outputs to one file
/// assert!(check_output_paths(&[&data], &[&out, &out]).is_err());
/// ```
pub fn check_output_paths<I, O>(inputs: &[I], outputs: &[O]) -> Result<()>
where
    I: AsRef<Path>,
    O: AsRef<Path>,
{
    let ins: Vec<Resolved> = inputs.iter().map(|p| Resolved::new(p.as_ref())).collect();
    let mut seen: Vec<Resolved> = Vec::with_capacity(outputs.len());
    for o in outputs {
        let out = Resolved::new(o.as_ref());
        if let Some(i) = ins.iter().find(|i| i.same_file(&out)) {
            return Err(Error::OutputClash {
                output: out.given.display().to_string(),
                other: format!("input `{}`", i.given.display()),
            });
        }
        if let Some(prev) = seen.iter().find(|p| p.same_file(&out)) {
            return Err(Error::OutputClash {
                output: out.given.display().to_string(),
                other: format!("output `{}`", prev.given.display()),
            });
        }
        seen.push(out);
    }
    Ok(())
}

/// A path as given and as resolved, with its file identity when it exists.
struct Resolved {
    given: PathBuf,
    real: PathBuf,
    #[cfg(unix)]
    id: Option<(u64, u64)>,
}

impl Resolved {
    fn new(p: &Path) -> Resolved {
        Resolved {
            given: p.to_path_buf(),
            real: resolve(p),
            #[cfg(unix)]
            id: {
                use std::os::unix::fs::MetadataExt;
                std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
            },
        }
    }

    fn same_file(&self, other: &Resolved) -> bool {
        #[cfg(unix)]
        if let (Some(a), Some(b)) = (self.id, other.id)
            && a == b
        {
            return true;
        }
        self.real == other.real
    }
}

/// The resolved form of a path (see [`check_output_paths`]).
fn resolve(p: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(p) {
        return real;
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match (std::fs::canonicalize(&parent), p.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn distinct_paths_pass() {
        let d = tmp();
        let a = d.path().join("a.csv");
        std::fs::write(&a, "x").unwrap();
        let outs = [d.path().join("b.csv"), d.path().join("c.json")];
        check_output_paths(&[&a], &outs).unwrap();
        // no inputs, no outputs
        check_output_paths::<&Path, &Path>(&[], &[]).unwrap();
    }

    #[test]
    fn output_equal_to_input_is_refused_by_any_spelling() {
        let d = tmp();
        let a = d.path().join("a.csv");
        std::fs::write(&a, "x").unwrap();
        for spelling in [
            a.clone(),
            d.path().join(".").join("a.csv"),
            d.path().join("sub").join("..").join("a.csv"),
        ] {
            if spelling.parent().is_some_and(|p| !p.exists()) {
                std::fs::create_dir_all(d.path().join("sub")).unwrap();
            }
            let e = check_output_paths(&[&a], &[&spelling]).unwrap_err();
            assert!(
                matches!(&e, Error::OutputClash { other, .. } if other.contains("a.csv")),
                "{e}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlink_and_hard_link_to_an_input_are_refused() {
        let d = tmp();
        let a = d.path().join("a.csv");
        std::fs::write(&a, "x").unwrap();
        let link = d.path().join("link.csv");
        std::os::unix::fs::symlink(&a, &link).unwrap();
        assert!(check_output_paths(&[&a], &[&link]).is_err());
        let hard = d.path().join("hard.csv");
        std::fs::hard_link(&a, &hard).unwrap();
        let e = check_output_paths(&[&a], &[&hard]).unwrap_err();
        assert!(e.to_string().contains("hard.csv"), "{e}");
        // an input given through the link is the same file as the real path
        assert!(check_output_paths(&[&link], &[&a]).is_err());
    }

    #[test]
    fn two_outputs_to_one_new_file_are_refused() {
        let d = tmp();
        let o = d.path().join("new.csv");
        let o2 = d.path().join(".").join("new.csv");
        let e = check_output_paths::<&Path, _>(&[], &[&o, &o2]).unwrap_err();
        assert!(
            matches!(&e, Error::OutputClash { other, .. } if other.starts_with("output `")),
            "{e}"
        );
        assert!(!o.exists());
    }

    #[test]
    fn relative_new_file_resolves_against_the_current_directory() {
        // `x.csv` and `./x.csv` name the same new file
        let e = check_output_paths::<&Path, _>(
            &[],
            &[
                Path::new("ci-never-written.csv"),
                Path::new("./ci-never-written.csv"),
            ],
        );
        assert!(e.is_err());
    }
}
