//! `compind`: build, audit and stress-test composite indices from the command line.
//!
//! A small dispatcher: every subcommand lives in its own module with its own arguments and `run`.
//! Errors print one line (`error: ...`, the error's Display, naming the file, line, option or code at
//! fault) and exit with code 1, also for an option value out of its range (`--threads 0`,
//! `--variants 0`); usage errors (unknown flag, missing, conflicting or malformed argument) exit with
//! code 2: clap's with its usage text, the subcommands' own (`Failure::Usage`) in one line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod common;
mod compare;
mod imputepanel;
mod merge;
mod optweights;
mod panel;
mod panelcommon;
mod plot;
mod remove;
mod report;
mod score;
mod sobol;
mod stats;
mod strweak;
mod sweep;
mod sweepfile;
mod trends;

/// Build, audit and stress-test composite indices (COINr-style) from CSV / TOML files.
///
/// Every subcommand reads the framework and data either as COINr tables (`--imeta iMeta.csv --idata
/// iData.csv`) or as this crate's spec (`--spec index.toml --data data.csv [--groups A,B]`). Outputs
/// never overwrite an input and are replaced atomically. Exit codes: 0 ok, 1 bad input, 2 usage.
///
/// Example (COINr's example build of the ASEM index):
///
///   compind score --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --denominate
///     --impute group_mean:EurAsia_group --screen 0.9 --treat winsorise:5 --names --out scores.csv
#[derive(Parser, Debug)]
#[command(name = "compind", version, propagate_version = true)]
struct Cli {
    /// Print nothing on stderr except errors (no progress bars, no summaries). Example: `-q`.
    #[arg(long, short, global = true, display_order = 900)]
    quiet: bool,
    /// Worker threads for the parallel parts: sweeps, Sobol analyses, scoring and the per-unit
    /// summaries of `report` (default: all cores; no effect on `merge`). Results are identical for
    /// any thread count. Example: `--threads 4`.
    #[arg(long, global = true, value_name = "N", display_order = 901)]
    threads: Option<i64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Score(score::Args),
    Audit(audit::Args),
    Sweep(sweep::Args),
    Merge(merge::Args),
    Report(report::Args),
    Sobol(sobol::Args),
    Stats(stats::Args),
    Compare(compare::Args),
    Strweak(strweak::Args),
    Plot(plot::Args),
    Remove(remove::Args),
    OptWeights(optweights::Args),
    Panel(panel::Args),
    ImputePanel(imputepanel::Args),
    Trends(trends::Args),
}

/// Every option that takes a value accepts a negative number (`--spread -0.1` reaches the range
/// check and its message, instead of clap's "unexpected argument '-0'"), in every subcommand.
fn negative_numbers(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        if a.get_action().takes_values() {
            a.allow_negative_numbers(true)
        } else {
            a
        }
    })
    .mut_subcommands(negative_numbers)
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = negative_numbers(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Some(t) = cli
        .threads
        .filter(|t| !(1..=i64::from(u16::MAX)).contains(t))
    {
        // a value out of range is bad input (exit 1), as every other option's range check
        let e = composite_indicators::Error::invalid(
            "--threads",
            t,
            composite_indicators::error::Expected::closed(1.0, f64::from(u16::MAX)),
        );
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    if let Some(t) = cli.threads {
        // only fails when a global pool already exists, which cannot happen this early
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::try_from(t).unwrap_or(1))
            .build_global();
    }
    remove_outputs_on_signals();
    let quiet = cli.quiet;
    // the run's output files are renamed into place together once it succeeds: a run that fails
    // after writing one output (a second on a full disk) leaves every file as it was
    let batch = composite_indicators::io::OutputBatch::begin().ok();
    let result = match &cli.command {
        Command::Score(a) => score::run(a, quiet),
        Command::Audit(a) => audit::run(a, quiet),
        Command::Sweep(a) => sweep::run(a, quiet),
        Command::Merge(a) => merge::run(a, quiet),
        Command::Report(a) => report::run(a, quiet),
        Command::Sobol(a) => sobol::run(a, quiet),
        Command::Stats(a) => stats::run(a, quiet),
        Command::Compare(a) => compare::run(a, quiet),
        Command::Strweak(a) => strweak::run(a, quiet),
        Command::Plot(a) => plot::run(a, quiet),
        Command::Remove(a) => remove::run(a, quiet),
        Command::OptWeights(a) => optweights::run(a, quiet),
        Command::Panel(a) => panel::run(a, quiet),
        Command::ImputePanel(a) => imputepanel::run(a, quiet),
        Command::Trends(a) => trends::run(a, quiet),
    };
    let result = match (result, batch) {
        (Ok(()), Some(batch)) => batch.commit().map_err(common::Failure::Input),
        // `--out - | head`: the reader left, which counts as success (below); the outputs written
        // whole before it are kept
        (Err(common::Failure::Input(e)), Some(batch)) if is_broken_pipe(&e) => {
            batch.commit().map_err(common::Failure::Input)
        }
        (Err(e), Some(batch)) => {
            let staged = batch.staged();
            if staged > 0 && !quiet {
                eprintln!(
                    "note: the run failed, so {} written before the failure {} not kept (a failing \
                     run leaves every file as it was)",
                    common::count(staged, "output"),
                    if staged == 1 { "was" } else { "were" }
                );
            }
            Err(e)
        }
        (result, None) => result,
    };
    // library parameter names in errors become the flags that set them
    let names: &[(&str, &str)] = match &cli.command {
        Command::Audit(_) => &[("collinear_threshold", "--collinear")],
        Command::Stats(_) => &[
            ("t_skew", "--t-skew"),
            ("t_kurt", "--t-kurt"),
            ("t_avail", "--t-avail"),
            ("t_zero", "--t-zero"),
            ("t_unq", "--t-unq"),
        ],
        Command::OptWeights(_) => &[
            ("level", "--level"),
            ("tolerance", "--toler"),
            ("max_iters", "--maxiter"),
            ("importance", "--importance"),
        ],
        Command::Trends(_) => &[
            ("min_points", "--min-points"),
            ("window", "--times"),
            ("interp_at", "--interp-at"),
        ],
        Command::Sweep(_) => &[
            ("nodes", "--levels"),
            ("spread", "--spread"),
            ("chunk_size", "--chunk"),
            ("variants", "--variants"),
            ("score_bins", "--score-bins"),
        ],
        Command::Sobol(_) => &[
            ("spread", "--spread"),
            ("bootstrap level", "--conf-level"),
            ("bootstrap replicates", "--bootstrap"),
            ("n", "--n"),
        ],
        Command::Strweak(_) => &[
            ("report_level", "--report-level"),
            ("top_n", "--top"),
            ("bottom_n", "--bottom"),
            ("unq_discard", "--unq-discard"),
        ],
        Command::Plot(_) => &[
            ("*: level", "--level"),
            ("*: size", "--width/--height"),
            ("*: font_size", "--font-size"),
        ],
        Command::Remove(_) => &[("level", "--level")],
        _ => &[],
    };
    // the imputation's parameter (`impute group_mean(COL)`) is --impute's wherever the build runs;
    // `compare` names its two runs' flags itself
    let build: &[(&str, &str)] = match &cli.command {
        Command::Compare(_) => &[],
        _ => &[("impute *", "--impute")],
    };
    let names = [names, build].concat();
    let result = result.map_err(|f| match f {
        common::Failure::Input(e) => common::Failure::Input(common::flag_names(e, &names)),
        usage => usage,
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `--out - | head`: the reader left; like other command-line tools, stop quietly
        Err(common::Failure::Input(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(common::Failure::Input(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        // one line, as every other error of the tool (clap's own errors keep clap's usage text)
        Err(common::Failure::Usage(msg)) => {
            eprintln!(
                "error: {msg} (see `compind {} --help`)",
                matches.subcommand_name().unwrap_or_default()
            );
            ExitCode::from(2)
        }
    }
}

/// On SIGINT, SIGTERM and SIGHUP: remove the temporary files of the outputs being written (a signal
/// ends the process without running destructors; an output file is then whole at its path or absent),
/// then end by the same signal, as without the handler, so that a shell sees the signal (a Ctrl-C
/// stops the script around `compind`; exit status 128 + the signal's number). A signal ignored at
/// start-up (`nohup`, a script's background job) is left ignored.
fn remove_outputs_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&s| !ignored_at_start(s))
        .collect();
    let Ok(mut signals) = signal_hook::iterator::Signals::new(&wanted) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let removed = composite_indicators::io::remove_unfinished_outputs();
            if removed > 0 {
                eprintln!(
                    "interrupted: removed {} being written",
                    common::count(removed, "unfinished output")
                );
            }
            // back to the default action, and the signal again: the process ends by it
            let _ = signal_hook::low_level::emulate_default_handler(sig);
            std::process::exit(128 + sig);
        }
    });
}

/// Whether signal `sig` is ignored (`SIG_IGN`), as `nohup` and a shell's background jobs leave
/// SIGHUP / SIGINT for the program they start.
#[cfg(unix)]
fn ignored_at_start(sig: i32) -> bool {
    // SAFETY: `sigaction` with a null new action only writes the current disposition into `old`, a
    // zero-initialised `sigaction` struct (valid for every field) owned by this frame.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

#[cfg(not(unix))]
fn ignored_at_start(_sig: i32) -> bool {
    false
}

/// Whether `e` is a write to a closed pipe (the reader of standard output has exited), also when a
/// writer wrapped the I/O error in another.
fn is_broken_pipe(e: &composite_indicators::Error) -> bool {
    let composite_indicators::Error::Io { source, .. } = e.innermost() else {
        return false;
    };
    let mut io: Option<&std::io::Error> = Some(source);
    while let Some(err) = io {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            return true;
        }
        io = err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<std::io::Error>());
    }
    false
}
