//! Runs a learner's listing: compiles it with rustc against the crates the workspace has already built
//! (`target/debug`, dev profile, the workspace's one feature set) and runs it under limits, in a fresh folder,
//! with nothing of the server's environment, as `nobody` when the server is root.
//!
//! What is bounded, and how:
//! - time: the compiler and the program each run in a session of their own (`setsid`), killed as a whole
//!   process group at the wall-clock limit, children included;
//! - memory, file size, processes: `setrlimit` before the program starts (address space, `RLIMIT_FSIZE`,
//!   `RLIMIT_NPROC`), and no core dumps;
//! - what it can read and reveal: the environment is emptied, and a root server compiles and runs as
//!   `nobody` (the compiler too: `include_str!` and `#[path]` read files while compiling);
//! - output: at most `output_bytes` of each stream is kept; a program that writes more is stopped;
//! - load: a [`Queue`] runs a few programs at once, lets a few more wait, and turns the rest away.
//!
//! Known gaps: a program that calls `setsid` itself leaves the process group and so outlives the group kill
//! (`RLIMIT_NPROC` bounds how many such processes it can make; a cgroup per run would close this). A server
//! that is not root runs programs as its own user, who can read that user's files.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ffi::{CString, OsString};
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The crates a listing may use, by the names `use` spells: the README's dependency block and the course's own
/// crates.
pub const CRATES: [&str; 16] = [
    "ndarray",
    "ndarray_rand",
    "ndarray_einsum",
    "rayon",
    "polars",
    "plotters",
    "pprof",
    "thiserror",
    "tempfile",
    "dhat",
    "criterion",
    "arrays",
    "dataframes",
    "visualization",
    "performance",
    "course_utils",
];

/// What [`Queue::run`] answers when it has no room; the server can send it as it is.
pub const BUSY: &str = "busy: too many programs are running or waiting; try again in a few seconds";

/// The unprivileged user a root server runs programs as (`nobody`, `nogroup` on Debian).
const NOBODY: u32 = 65534;
/// Compiling takes longer than running, and polars' rlibs take a while to link: the compiler gets the wall
/// limit plus this.
const COMPILE_MARGIN: Duration = Duration::from_secs(60);
/// The compiler's address space, with room: rustc on a polars listing peaks at 1.2 GB resident.
const COMPILE_MEMORY: u64 = 8 << 30;
/// The compiler writes the binary: a program linking polars is a few hundred MB.
const COMPILE_FILE_BYTES: u64 = 4 << 30;
/// Compiler messages kept: a program with many errors can print a lot, and the first screens are what helps.
const COMPILE_OUTPUT_BYTES: usize = 256 << 10;
/// SVG files returned, and the largest kept (a flamegraph is about 1 MB); others are left out.
const MAX_SVGS: usize = 4;
const MAX_SVG_BYTES: u64 = 2 << 20;

/// The limits of one run.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Wall-clock time of the program (the compiler gets this plus a margin).
    pub wall: Duration,
    /// Address space (`RLIMIT_AS`), which bounds what the program can allocate.
    pub memory_bytes: u64,
    /// Processes and threads the program may add (`RLIMIT_NPROC`, which counts threads too).
    pub processes: u64,
    /// The largest file the program may write (`RLIMIT_FSIZE`).
    pub file_bytes: u64,
    /// Bytes kept of stdout, and of stderr.
    pub output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { wall: Duration::from_secs(30), memory_bytes: 2 << 30, processes: 64, file_bytes: 64 << 20, output_bytes: 64 << 10 }
    }
}

/// What a run produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunOutput {
    /// rustc's messages, errors and warnings, as it printed them (`main.rs:LINE:COL` is the listing's line).
    pub compile_stderr: String,
    pub compiled: bool,
    pub stdout: String,
    pub stderr: String,
    /// Exit code, if the program exited.
    pub status: Option<i32>,
    /// The signal that ended it, if one did (9 when stopped by a limit, 6 for a failed allocation).
    pub signal: Option<i32>,
    /// The compiler or the program ran out of time and was killed.
    pub timed_out: bool,
    /// More output came than was kept (the program was then stopped).
    pub truncated: bool,
    /// How long the program ran, and how long it took to compile.
    pub elapsed: Duration,
    pub compile_elapsed: Duration,
    /// `(file name, contents)` of the `.svg` files the program wrote into its folder, by name.
    pub svgs: Vec<(String, String)>,
}

impl RunOutput {
    /// The answer as JSON, durations in seconds, figures as `[{"name": ..., "svg": ...}]`.
    pub fn to_value(&self) -> Value {
        let svgs: Vec<Value> = self.svgs.iter().map(|(name, svg)| json!({ "name": name, "svg": svg })).collect();
        json!({
            "compile_stderr": self.compile_stderr,
            "compiled": self.compiled,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "status": self.status,
            "signal": self.signal,
            "timed_out": self.timed_out,
            "truncated": self.truncated,
            "elapsed": self.elapsed.as_secs_f64(),
            "compile_elapsed": self.compile_elapsed.as_secs_f64(),
            "svgs": svgs,
        })
    }

    /// Reads back what [`RunOutput::to_value`] wrote (for the server's tests); `None` if it is not that.
    #[cfg(test)]
    pub fn from_value(v: &Value) -> Option<RunOutput> {
        let text = |key: &str| v[key].as_str().map(str::to_owned);
        let int = |key: &str| v[key].as_i64().and_then(|n| i32::try_from(n).ok());
        let seconds = |key: &str| v[key].as_f64().and_then(|s| Duration::try_from_secs_f64(s).ok());
        let svgs = v["svgs"].as_array()?.iter().map(|f| Some((f["name"].as_str()?.to_owned(), f["svg"].as_str()?.to_owned())));
        Some(RunOutput {
            compile_stderr: text("compile_stderr")?,
            compiled: v["compiled"].as_bool()?,
            stdout: text("stdout")?,
            stderr: text("stderr")?,
            status: int("status"),
            signal: int("signal"),
            timed_out: v["timed_out"].as_bool()?,
            truncated: v["truncated"].as_bool()?,
            elapsed: seconds("elapsed")?,
            compile_elapsed: seconds("compile_elapsed")?,
            svgs: svgs.collect::<Option<_>>()?,
        })
    }
}

/// How to compile a listing: which rustc, as whom, and the `--extern`/`-L` flags that point it at the
/// workspace's builds.
#[derive(Clone, Debug)]
pub struct Toolchain {
    /// The toolchain's own rustc, not rustup's proxy (which needs `HOME`/`RUSTUP_HOME`, and the compiler gets
    /// neither); for a root server, its copy that `nobody` can run (see `sysroot_for_nobody`).
    rustc: PathBuf,
    /// Who compiles and runs: `nobody` when the server is root, else the server's own user (`None`).
    nobody: Option<u32>,
    /// Whether `nobody` compiles too (false when it cannot read the workspace's build: then root compiles).
    compile_as_nobody: bool,
    /// `--extern` values (`name=path`).
    externs: Vec<String>,
    /// `-L` values (`dependency=dir`, and the native search paths build scripts asked for).
    search: Vec<String>,
    /// `code/dataframes/data`, copied as `data/` into the program's folder: the DataFrame listings read
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/data/penguins.csv")`, and `CARGO_MANIFEST_DIR` is that folder.
    data: Option<PathBuf>,
}

impl Toolchain {
    /// The standard library only (for tests: no workspace build needed).
    #[cfg(test)]
    pub fn std_only() -> Result<Toolchain, String> {
        Toolchain::new(Path::new("."), Vec::new(), Vec::new(), None)
    }

    /// Finds the workspace's builds of [`CRATES`], building what is missing: `cargo build` reports each
    /// library it built (or found fresh) with its files, `cargo metadata` tells which package each crate name
    /// is. Takes about a second after `cargo xtask test`, which builds the same.
    pub fn prepare(root: &Path) -> Result<Toolchain, String> {
        // `--all-targets`: dhat and criterion are dev-dependencies of some members, built only for their
        // tests and benches. `--exclude xtask`: not to relink the xtask that is running this; it adds no
        // feature to any crate the listings use.
        let build = crate::cargo_command()
            .current_dir(root)
            .args(["build", "--workspace", "--exclude", "xtask", "--all-targets", "--locked", "--message-format=json"])
            .stderr(Stdio::inherit()) // "Compiling ...": a first build takes minutes
            .output()
            .map_err(|e| format!("could not run cargo build: {e}"))?;
        if !build.status.success() {
            return Err(format!("cargo build --workspace failed ({}): see its messages above", build.status));
        }
        let metadata = crate::cargo_command()
            .current_dir(root)
            .args(["metadata", "--format-version", "1", "--locked"])
            .output()
            .map_err(|e| format!("could not run cargo metadata: {e}"))?;
        if !metadata.status.success() {
            return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&metadata.stderr)));
        }
        let metadata: Value = serde_json::from_slice(&metadata.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
        let (externs, search) = link_flags(&String::from_utf8_lossy(&build.stdout), &metadata, &CRATES)?;
        let data = Some(root.join("code/dataframes/data")).filter(|d| d.is_dir());
        let mut toolchain = Toolchain::new(root, externs, search, data)?;
        // nobody can read the built crates only if every folder above them lets others through (a checkout in
        // a private folder, such as root's home or a `mktemp -d`, does not): then root compiles, and only the
        // program runs as nobody. Said, not hidden: compile-time file reads (`include_str!`) are then root's.
        if toolchain.nobody.is_some() && !toolchain.externs.iter().filter_map(|e| e.split_once('=')).all(|(_, p)| others_can_read(Path::new(p))) {
            eprintln!("runner: the workspace's build is not readable by nobody (a private folder above it); compiling as root, running as nobody");
            toolchain.compile_as_nobody = false;
        }
        // Once, so that a problem shows at the start and not at a learner's first Run: every crate found and
        // linked, and readable by whoever compiles (nobody cannot read a workspace under root's home).
        let probe: String = CRATES.iter().map(|name| format!("use {name} as _;\n")).chain(["fn main() {}\n".into()]).collect();
        let out = toolchain.run(&probe, &Limits::default())?;
        if out.status != Some(0) {
            return Err(format!("a program using the course's crates does not build or run:\n{}{}", out.compile_stderr, out.stderr));
        }
        Ok(toolchain)
    }

    fn new(dir: &Path, externs: Vec<String>, search: Vec<String>, data: Option<PathBuf>) -> Result<Toolchain, String> {
        let (rustc, sysroot) = real_rustc(dir);
        let nobody = (unsafe { libc::geteuid() } == 0).then_some(NOBODY);
        let rustc = match (nobody, sysroot) {
            (Some(_), Some(sysroot)) => sysroot_for_nobody(&sysroot)?.join("bin/rustc"),
            (Some(_), None) => return Err(format!("{}: no toolchain folder (--print sysroot) to copy for nobody", rustc.display())),
            (None, _) => rustc,
        };
        Ok(Toolchain { rustc, nobody, compile_as_nobody: nobody.is_some(), externs, search, data })
    }

    /// Compiles `code` as `main.rs` and runs it under `limits`. `Err` only when the runner itself failed
    /// (no temporary folder, rustc missing); a program that does not compile is an `Ok` with `compiled: false`.
    pub fn run(&self, code: &str, limits: &Limits) -> Result<RunOutput, String> {
        self.run_as(code, limits, false)
    }

    /// [`run`](Self::run), or with `optimised` a `main.rs` optimised as `cargo run --release` does
    /// (`-C opt-level=3`): for a listing whose output shows timings (the libraries stay the workspace's builds).
    pub fn run_as(&self, code: &str, limits: &Limits, optimised: bool) -> Result<RunOutput, String> {
        let dir = TempDir::new()?;
        fs::write(dir.0.join("main.rs"), code).map_err(failed("writing main.rs"))?;
        if let Some(data) = &self.data {
            copy_data(data, &dir.0)?;
        }
        // The compiler runs as the program will, and with as clean an environment: it reads files too
        // (`include_str!("/root/...")`, `#[path]`) and variables (`env!`).
        let user = match self.nobody {
            Some(nobody) => {
                chown(&dir.0, nobody)?;
                nobody
            }
            None => unsafe { libc::getuid() },
        };

        let mut rustc = Command::new(&self.rustc);
        rustc
            .current_dir(&dir.0)
            .args(["main.rs", "--crate-name", "main", "--crate-type", "bin", "--edition=2024"])
            .args(["-C", if optimised { "opt-level=3" } else { "opt-level=0" }]);
        if !optimised {
            // as cargo does without debug info: the standard library's goes too, which makes linking against
            // polars 5 s instead of 6.5 (symbols stay, for panics and pprof's flamegraphs)
            rustc.args(["-C", "debuginfo=0", "-C", "strip=debuginfo"]);
        } else {
            // as the workspace's release profile: line tables, with which pprof names the inlined functions
            rustc.args(["-C", "debuginfo=line-tables-only"]);
        }
        rustc
            .args(["--color", "never", "-o", "main"]);
        for value in &self.search {
            rustc.arg("-L").arg(value);
        }
        for value in &self.externs {
            rustc.arg("--extern").arg(value);
        }
        clean_environment(&mut rustc, &dir.0).env("CARGO_MANIFEST_DIR", &dir.0);
        let compiler = if self.compile_as_nobody { self.nobody } else { None };
        let confinement = Confinement::new(COMPILE_MEMORY, None, COMPILE_FILE_BYTES, compiler);
        let compile = supervise(&mut rustc, confinement, limits.wall + COMPILE_MARGIN, COMPILE_OUTPUT_BYTES)
            .map_err(|e| format!("could not run rustc ({}): {e}", self.rustc.display()))?;
        let mut out = RunOutput {
            compile_stderr: String::from_utf8_lossy(&compile.stderr).into_owned(),
            compiled: compile.status.success(),
            timed_out: compile.timed_out,
            compile_elapsed: compile.elapsed,
            ..RunOutput::default()
        };
        if compile.timed_out {
            out.compile_stderr.push_str(&format!("\n(the compiler was stopped after {:.0} s)\n", compile.elapsed.as_secs_f64()));
        }
        if !out.compiled {
            return Ok(out);
        }

        let mut program = Command::new(dir.0.join("main"));
        program.current_dir(&dir.0);
        clean_environment(&mut program, &dir.0);
        run_confined(&mut program, &dir.0, user, self.nobody, limits, &mut out).map_err(|e| format!("could not start the program: {e}"))?;
        Ok(out)
    }
}

/// Runs `cmd`, whose folder is `dir`, confined by `limits` (as `nobody` when given, else as `user`), and records
/// what it printed, how it ended and the figures it left in `out`.
fn run_confined(cmd: &mut Command, dir: &Path, user: u32, nobody: Option<u32>, limits: &Limits, out: &mut RunOutput) -> io::Result<()> {
    // RLIMIT_NPROC counts every process and thread of the user, not the program's: allow what the user
    // has now plus the program's share. (Unknown without /proc: then it is not set.)
    let processes = tasks_of(user).map(|n| n + limits.processes);
    let confinement = Confinement::new(limits.memory_bytes, processes, limits.file_bytes, nobody);
    let run = supervise(cmd, confinement, limits.wall, limits.output_bytes)?;
    out.stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    out.stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    out.status = run.status.code();
    out.signal = run.status.signal();
    out.timed_out = run.timed_out;
    out.truncated = run.truncated;
    out.elapsed = run.elapsed;
    out.svgs = svgs(dir, user);
    Ok(())
}

/// A copy of the data folder as `data/` of a run's folder (a copy of two small files, not a link: nobody may not
/// be able to reach the checkout).
fn copy_data(data: &Path, dir: &Path) -> Result<(), String> {
    fs::create_dir(dir.join("data")).map_err(failed("making data/"))?;
    for entry in fs::read_dir(data).map_err(failed("reading the data folder"))?.flatten() {
        if entry.path().is_file() {
            fs::copy(entry.path(), dir.join("data").join(entry.file_name())).map_err(failed("copying data/"))?;
        }
    }
    Ok(())
}

/// Runs a program of the repository's own that is not a listing (the course's Python running a Python
/// listing) as a listing's program runs: in a fresh folder with `data/`, the clean environment plus `env`,
/// confined by `limits`; as this user, since the program is the repository's. `files` are written into the
/// folder first; the text of the file `keep`, if the program wrote it, comes back beside the output.
pub fn run_program(
    program: &Path,
    args: &[&std::ffi::OsStr],
    data: Option<&Path>,
    files: &[(&str, &str)],
    env: &[(&str, &str)],
    limits: &Limits,
    keep: &str,
) -> Result<(RunOutput, Option<String>), String> {
    let dir = TempDir::new()?;
    if let Some(data) = data {
        copy_data(data, &dir.0)?;
    }
    for (name, text) in files {
        fs::write(dir.0.join(name), text).map_err(failed(format!("writing {name}")))?;
    }
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(&dir.0);
    clean_environment(&mut cmd, &dir.0).envs(env.iter().copied());
    let mut out = RunOutput { compiled: true, ..RunOutput::default() };
    run_confined(&mut cmd, &dir.0, unsafe { libc::getuid() }, None, limits, &mut out).map_err(|e| format!("could not start {}: {e}", program.display()))?;
    Ok((out, fs::read_to_string(dir.0.join(keep)).ok()))
}

/// At most `running` programs at once, at most `waiting` more in line (first come, first served); beyond
/// that, [`BUSY`] at once rather than a wait with no end.
pub struct Queue {
    toolchain: Toolchain,
    running: usize,
    waiting: usize,
    state: Mutex<QueueState>,
    turn: Condvar,
}

struct QueueState {
    running: usize,
    line: VecDeque<u64>,
    next_ticket: u64,
}

impl Queue {
    /// Two at once (the machines have 2 cores), 16 in line.
    pub fn new(toolchain: Toolchain) -> Queue {
        Queue::with_capacity(toolchain, 2, 16)
    }

    pub fn with_capacity(toolchain: Toolchain, running: usize, waiting: usize) -> Queue {
        let state = QueueState { running: 0, line: VecDeque::new(), next_ticket: 0 };
        Queue { toolchain, running: running.max(1), waiting, state: Mutex::new(state), turn: Condvar::new() }
    }

    /// [`Toolchain::run`], when there is room; `Err(BUSY)` when there is not.
    pub fn run(&self, code: &str, limits: &Limits) -> Result<RunOutput, String> {
        self.run_as(code, limits, false)
    }

    /// [`run`](Self::run), or optimised as [`Toolchain::run_as`] can (a listing whose shown output is timed, so
    /// that the reader's run is built as the output was).
    pub fn run_as(&self, code: &str, limits: &Limits, optimised: bool) -> Result<RunOutput, String> {
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.running < self.running && state.line.is_empty() {
                state.running += 1;
            } else if state.line.len() < self.waiting {
                let ticket = state.next_ticket;
                state.next_ticket += 1;
                state.line.push_back(ticket);
                while !(state.line.front() == Some(&ticket) && state.running < self.running) {
                    state = self.turn.wait(state).unwrap_or_else(|e| e.into_inner());
                }
                state.line.pop_front();
                state.running += 1;
                self.turn.notify_all(); // the next in line may fit too
            } else {
                return Err(BUSY.to_owned());
            }
        }
        let _slot = Slot(self); // gives the place back even if the run panics
        self.toolchain.run_as(code, limits, optimised)
    }
}

struct Slot<'a>(&'a Queue);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner()).running -= 1;
        self.0.turn.notify_all();
    }
}

/// The `--extern` and `-L` values for `wanted`, from `cargo build --message-format=json` output and
/// `cargo metadata`.
fn link_flags(messages: &str, metadata: &Value, wanted: &[&str]) -> Result<(Vec<String>, Vec<String>), String> {
    // package id -> its library builds, as (features, files)
    let mut builds: BTreeMap<&str, Vec<(usize, Vec<PathBuf>)>> = BTreeMap::new();
    let mut search = BTreeSet::new();
    let messages: Vec<Value> = messages.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    for m in &messages {
        match m["reason"].as_str() {
            Some("compiler-artifact") => {
                let library = m["target"]["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| ["lib", "rlib", "proc-macro"].contains(&k.as_str().unwrap_or(""))));
                // `profile.test`: a library's unit-test binary, also of kind "lib"
                if !library || m["profile"]["test"].as_bool() == Some(true) {
                    continue;
                }
                let files: Vec<PathBuf> = m["filenames"].as_array().into_iter().flatten().filter_map(Value::as_str).map(PathBuf::from).collect();
                let features = m["features"].as_array().map_or(0, Vec::len);
                builds.entry(m["package_id"].as_str().unwrap_or("")).or_default().push((features, files));
            }
            // native libraries that build scripts link (`cargo:rustc-link-search`), as cargo passes them on
            Some("build-script-executed") => {
                search.extend(m["linked_paths"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
            }
            _ => {}
        }
    }

    // crate name -> package ids: the workspace members' own libraries and what they depend on, under the
    // name each dependency has in their code (renames included)
    let mut packages: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let members: BTreeSet<&str> = metadata["workspace_members"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let id = package["id"].as_str().unwrap_or("");
        if !members.contains(id) {
            continue;
        }
        for target in package["targets"].as_array().into_iter().flatten() {
            if target["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "lib")) {
                packages.entry(target["name"].as_str().unwrap_or("").replace('-', "_")).or_default().insert(id);
            }
        }
    }
    for node in metadata["resolve"]["nodes"].as_array().into_iter().flatten() {
        if !members.contains(node["id"].as_str().unwrap_or("")) {
            continue;
        }
        for dep in node["deps"].as_array().into_iter().flatten() {
            if let (Some(name), Some(id)) = (dep["name"].as_str(), dep["pkg"].as_str()) {
                packages.entry(name.to_owned()).or_default().insert(id);
            }
        }
    }

    let mut externs = Vec::new();
    let mut missing = Vec::new();
    for &name in wanted {
        let ids = packages.get(name).map(|ids| ids.iter().copied().collect::<Vec<_>>()).unwrap_or_default();
        let id = match ids.as_slice() {
            [id] => *id,
            [] => {
                missing.push(format!("{name} (no workspace member depends on it)"));
                continue;
            }
            several => return Err(format!("the workspace depends on several packages named {name}: {}", several.join(", "))),
        };
        // A package can be built twice in one build: for build scripts and proc macros, with the features
        // those ask for, and for the workspace's crates, with the union of what every member asks for (hakari's
        // workspace-hack makes that union the same whichever member is built). The members' libraries link the
        // latter, and a listing's `ndarray` must be the very crate `arrays` links or their types would not
        // match; it is the build with the most features, since it serves them all. (In this workspace hakari
        // unifies build scripts' features too, so each package is built once.)
        let Some((_, files)) = builds.get(id).and_then(|b| b.iter().max_by_key(|(features, _)| *features)) else {
            missing.push(format!("{name} (not built)"));
            continue;
        };
        // The .rlib (a proc macro's .so) to link, and its .rmeta beside it, which rustc reads when cargo
        // builds with metadata kept apart (as skeptic passes them).
        for file in files {
            search.insert(format!("dependency={}", file.parent().unwrap_or(Path::new(".")).display()));
            externs.push(format!("{name}={}", file.display()));
        }
    }
    if !missing.is_empty() {
        return Err(format!("crates the listings use were not found in the workspace build: {}", missing.join(", ")));
    }
    Ok((externs, search.into_iter().collect()))
}

/// The rustc that `rustc` resolves to in `dir` (rustup's override files apply there, as for the workspace
/// build), and its toolchain folder; `rustc` itself, and no folder, when it does not say.
fn real_rustc(dir: &Path) -> (PathBuf, Option<PathBuf>) {
    let rustc = PathBuf::from(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
    match Command::new(&rustc).args(["--print", "sysroot"]).current_dir(dir).output() {
        Ok(out) if out.status.success() => {
            let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            let real = sysroot.join("bin/rustc");
            if real.is_file() { (real, Some(sysroot)) } else { (rustc, None) }
        }
        _ => (rustc, None),
    }
}

/// A toolchain that `nobody` can run: rustup keeps it under root's home, which only root may enter. Hard
/// links to `bin/rustc` and `lib/` (copies across file systems), made once per toolchain under
/// `<temp>/xtask-runner-<uid>/`; rustc finds its libraries and the standard library from where it is.
fn sysroot_for_nobody(sysroot: &Path) -> Result<PathBuf, String> {
    static MAKING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    let owner = unsafe { libc::geteuid() };
    let home = std::env::temp_dir().join(format!("xtask-runner-{owner}"));
    match fs::create_dir(&home) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(failed(home.display())(e)),
        _ => {}
    }
    // In a shared temporary folder someone else could have made it first: only ours, writable by us alone.
    let meta = fs::symlink_metadata(&home).map_err(failed(home.display()))?;
    if !meta.is_dir() || meta.uid() != owner {
        return Err(format!("{} is not a folder of uid {owner}: remove it", home.display()));
    }
    fs::set_permissions(&home, fs::Permissions::from_mode(0o755)).map_err(failed(home.display()))?;
    // One copy per toolchain: its folder, and when its rustc was installed (`rustup update` replaces it).
    let rustc = sysroot.join("bin/rustc");
    let installed = fs::metadata(&rustc).map_err(failed(rustc.display()))?;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
    for byte in format!("{} {} {}", sysroot.display(), installed.mtime(), installed.len()).bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
    }
    let copy = home.join(format!("sysroot-{hash:016x}"));
    if copy.join("bin/rustc").is_file() {
        return Ok(copy);
    }
    let partial = home.join(format!("sysroot-{hash:016x}.partial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&partial);
    link_tree(&sysroot.join("lib"), &partial.join("lib")).map_err(failed(partial.display()))?;
    fs::create_dir(partial.join("bin")).map_err(failed(partial.display()))?;
    link_tree(&rustc, &partial.join("bin/rustc")).map_err(failed(partial.display()))?;
    fs::set_permissions(partial.join("bin"), fs::Permissions::from_mode(0o755)).map_err(failed(partial.display()))?;
    fs::set_permissions(&partial, fs::Permissions::from_mode(0o755)).map_err(failed(partial.display()))?;
    if let Err(e) = fs::rename(&partial, &copy) {
        let _ = fs::remove_dir_all(&partial);
        if !copy.join("bin/rustc").is_file() {
            return Err(failed(copy.display())(e));
        } // else another xtask made it meanwhile
    }
    Ok(copy)
}

/// `from` at `to`: folders made (mode 755, whatever the umask), files hard-linked or else copied, links
/// made again.
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.is_dir() {
        fs::create_dir_all(to)?;
        fs::set_permissions(to, fs::Permissions::from_mode(0o755))?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(from)?, to)
    } else {
        fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(|_| ()))
    }
}

/// Nothing of the server's environment (its variables may hold secrets): a plain PATH, and the run's folder as
/// home and as temporary folder (`std::env::temp_dir()`, where the listings write their figures).
fn clean_environment<'a>(cmd: &'a mut Command, dir: &Path) -> &'a mut Command {
    cmd.env_clear().env("PATH", "/usr/bin:/bin").env("HOME", dir).env("TMPDIR", dir).stdin(Stdio::null())
}

/// What a child gets between fork and exec: computed before, since that code must not allocate.
#[derive(Clone, Copy)]
struct Confinement {
    memory: u64,
    processes: Option<u64>,
    file_bytes: u64,
    user: Option<u32>,
}

impl Confinement {
    fn new(memory: u64, processes: Option<u64>, file_bytes: u64, user: Option<u32>) -> Confinement {
        // An ordinary user cannot raise a hard limit: never ask above the one in force.
        let hard = |resource| {
            let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            if unsafe { libc::getrlimit(resource, &mut limit) } == 0 { limit.rlim_max } else { libc::RLIM_INFINITY }
        };
        Confinement {
            memory: memory.min(hard(libc::RLIMIT_AS)),
            processes: processes.map(|n| n.min(hard(libc::RLIMIT_NPROC))),
            file_bytes: file_bytes.min(hard(libc::RLIMIT_FSIZE)),
            user,
        }
    }

    /// In the child: a session of its own (so its whole process tree can be killed), the limits (soft and
    /// hard, so it cannot raise them), then, for a root server, the user `nobody` with no supplementary groups.
    /// The limits come first: after dropping to nobody they could only be lowered.
    fn apply(&self) -> io::Result<()> {
        let check = |r: libc::c_int| if r == -1 { Err(io::Error::last_os_error()) } else { Ok(()) };
        unsafe {
            check(libc::setsid())?;
            let set = |resource, value: u64| libc::setrlimit(resource, &libc::rlimit { rlim_cur: value, rlim_max: value });
            check(set(libc::RLIMIT_AS, self.memory))?;
            check(set(libc::RLIMIT_FSIZE, self.file_bytes))?;
            check(set(libc::RLIMIT_CORE, 0))?;
            if let Some(n) = self.processes {
                check(set(libc::RLIMIT_NPROC, n))?;
            }
            if let Some(id) = self.user {
                check(libc::setgroups(0, std::ptr::null()))?;
                check(libc::setgid(id))?;
                check(libc::setuid(id))?;
            }
        }
        Ok(())
    }
}

/// What a supervised child did.
struct Supervised {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: ExitStatus,
    timed_out: bool,
    truncated: bool,
    elapsed: Duration,
}

/// Runs `cmd` confined, reading its output as it comes (two threads: one full pipe must not block the other),
/// until it exits, overruns `wall`, or writes more than `cap` bytes to a stream; then kills its process group.
fn supervise(cmd: &mut Command, confinement: Confinement, wall: Duration, cap: usize) -> io::Result<Supervised> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: `apply` only makes system calls (no allocation, no locks), as the code between fork and exec must.
    unsafe { cmd.pre_exec(move || confinement.apply()) };
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let group = child.id() as libc::pid_t; // the session leader: its pid is the group's id
    let overflow = Arc::new(AtomicBool::new(false));
    let (done, finished) = mpsc::channel();
    let stdout = capture(child.stdout.take().expect("piped"), cap, &overflow, done.clone());
    let stderr = capture(child.stderr.take().expect("piped"), cap, &overflow, done);
    let mut timed_out = false;
    loop {
        match exited(group) {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                unsafe { libc::kill(-group, libc::SIGKILL) };
                let _ = child.wait();
                return Err(e);
            }
        }
        if start.elapsed() >= wall {
            timed_out = true;
            break;
        }
        if overflow.load(Ordering::Relaxed) {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    // Kill the group, what the program started included. The leader is not reaped yet (`exited` leaves it
    // a zombie), so the group id cannot have been reused.
    unsafe { libc::kill(-group, libc::SIGKILL) };
    let status = child.wait()?;
    let elapsed = start.elapsed();
    // The pipes close when the group is gone; a process that left the group could hold them open, so wait
    // only a moment for the readers, and take what they have.
    let patience = Instant::now() + Duration::from_secs(1);
    for _ in 0..2 {
        if finished.recv_timeout(patience.saturating_duration_since(Instant::now())).is_err() {
            break;
        }
    }
    let take = |c: &Arc<Mutex<Captured>>| std::mem::take(&mut *c.lock().unwrap_or_else(|e| e.into_inner()));
    let (stdout, stderr) = (take(&stdout), take(&stderr));
    Ok(Supervised {
        truncated: stdout.truncated || stderr.truncated,
        stdout: stdout.bytes,
        stderr: stderr.bytes,
        status,
        timed_out,
        elapsed,
    })
}

/// Whether the child has exited, without reaping it.
fn exited(pid: libc::pid_t) -> io::Result<bool> {
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let options = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
    if unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, options) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(unsafe { info.si_pid() } != 0) // 0: it is still running
}

#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    truncated: bool,
}

/// Reads `stream` to its end on a thread, keeping the first `cap` bytes; past them it raises `overflow`
/// (the supervisor then stops the program) and discards the rest.
fn capture(mut stream: impl Read + Send + 'static, cap: usize, overflow: &Arc<AtomicBool>, done: mpsc::Sender<()>) -> Arc<Mutex<Captured>> {
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (into, overflow) = (Arc::clone(&captured), Arc::clone(overflow));
    thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        loop {
            let n = match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let mut c = into.lock().unwrap_or_else(|e| e.into_inner());
            let room = cap.saturating_sub(c.bytes.len());
            c.bytes.extend_from_slice(&buffer[..n.min(room)]);
            if n > room {
                c.truncated = true;
                overflow.store(true, Ordering::Relaxed);
            }
        }
        let _ = done.send(());
    });
    captured
}

/// The number of processes and threads (what RLIMIT_NPROC counts) whose real user is `user`; `None`
/// without a readable /proc.
fn tasks_of(user: u32) -> Option<u64> {
    let mut total = 0;
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        if !entry.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(status) = fs::read_to_string(entry.path().join("status")) else { continue }; // it just exited
        let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
        if field("Uid:") == Some(u64::from(user)) {
            total += field("Threads:").unwrap_or(1);
        }
    }
    Some(total)
}

/// The `.svg` files the program left in its folder: regular files it owns with one link (not a link it
/// made to a file of the server's, which would be read as root), by name, at most `MAX_SVGS` of at most
/// `MAX_SVG_BYTES`.
fn svgs(dir: &Path, user: u32) -> Vec<(String, String)> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(".svg"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        // O_NONBLOCK: a FIFO named `x.svg` must not hang the server
        let flags = libc::O_NOFOLLOW | libc::O_NONBLOCK;
        let Ok(mut file) = fs::OpenOptions::new().read(true).custom_flags(flags).open(dir.join(&name)) else { continue };
        let Ok(meta) = file.metadata() else { continue };
        if !meta.is_file() || meta.uid() != user || meta.nlink() != 1 || meta.len() > MAX_SVG_BYTES {
            continue;
        }
        let mut svg = String::new();
        if (&mut file).take(MAX_SVG_BYTES).read_to_string(&mut svg).is_ok() {
            out.push((name, svg));
        }
        if out.len() == MAX_SVGS {
            break;
        }
    }
    out
}

/// For `map_err`: an I/O error, saying what failed.
fn failed(what: impl std::fmt::Display) -> impl FnOnce(io::Error) -> String {
    move |e| format!("{what}: {e}")
}

/// A fresh folder (mode 700) under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        let template = std::env::temp_dir().join("xtask-run-XXXXXX");
        let mut bytes = CString::new(template.into_os_string().into_vec()).map_err(|e| e.to_string())?.into_bytes_with_nul();
        if unsafe { libc::mkdtemp(bytes.as_mut_ptr().cast()) }.is_null() {
            return Err(format!("could not create a temporary folder: {}", io::Error::last_os_error()));
        }
        bytes.pop(); // the NUL
        Ok(TempDir(PathBuf::from(OsString::from_vec(bytes))))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Whether a user other than the owner can read `path`: the file readable by others and every folder above it
/// passable by others.
fn others_can_read(path: &Path) -> bool {
    let readable = fs::metadata(path).is_ok_and(|m| m.mode() & 0o004 != 0);
    readable && path.ancestors().skip(1).filter(|a| !a.as_os_str().is_empty()).all(|a| fs::metadata(a).is_ok_and(|m| m.mode() & 0o001 != 0))
}

fn chown(path: &Path, user: u32) -> Result<(), String> {
    std::os::unix::fs::chown(path, Some(user), Some(user)).map_err(|e| format!("could not give {} to uid {user}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(code: &str, limits: &Limits) -> RunOutput {
        let toolchain = Toolchain::std_only().unwrap();
        toolchain.run(code, limits).unwrap()
    }

    fn short(wall: u64) -> Limits {
        Limits { wall: Duration::from_secs(wall), ..Limits::default() }
    }

    #[test]
    fn a_private_folder_above_is_seen() {
        let dir = TempDir::new().unwrap();
        let file = dir.0.join("lib.rlib");
        fs::write(&file, "x").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(others_can_read(&file));
        fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(!others_can_read(&file));
        fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(!others_can_read(&file));
    }

    #[test]
    fn a_good_program_prints_its_output() {
        let out = run("fn main() {\n    let total: u32 = (1..=10).sum();\n    println!(\"sum {total}\");\n}\n", &short(10));
        assert!(out.compiled, "{}", out.compile_stderr);
        assert_eq!((out.stdout.as_str(), out.status, out.signal, out.timed_out), ("sum 55\n", Some(0), None, false), "{out:?}");
        let json: Value = out.to_value();
        assert_eq!((&json["stdout"], &json["status"], &json["signal"]), (&json!("sum 55\n"), &json!(0), &Value::Null));
        assert_eq!(RunOutput::from_value(&json), Some(out.clone()));
        eprintln!("std-only compile {:?}, run {:?}", out.compile_elapsed, out.elapsed);
    }

    #[test]
    fn a_compile_error_is_rustcs_message_at_the_listings_line() {
        let code = "fn main() {\n    let total: i32 = (1..=10).sum();\n    let wrong: i32 = \"ten\";\n    println!(\"{total} {wrong}\");\n}\n";
        let out = run(code, &short(10));
        assert!(!out.compiled);
        assert!(out.compile_stderr.contains("error[E0308]: mismatched types"), "{}", out.compile_stderr);
        assert!(out.compile_stderr.contains("main.rs:3:22"), "{}", out.compile_stderr);
        assert_eq!((out.status, out.stdout.as_str()), (None, ""));
    }

    #[test]
    fn a_panic_is_a_failure_with_its_message() {
        let out = run("fn main() {\n    let v: Vec<i32> = Vec::new();\n    if v.is_empty() { panic!(\"empty input: {}\", v.len()); }\n}\n", &short(10));
        assert!(out.compiled, "{}", out.compile_stderr);
        assert_eq!(out.status, Some(101), "{out:?}");
        assert!(out.stderr.contains("empty input: 0"), "{}", out.stderr);
    }

    /// Whether a process still runs: it is in /proc and not a zombie (a killed orphan stays one until init
    /// reaps it).
    fn alive(pid: u32) -> bool {
        fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()).map(|state| state != "Z"))
            .unwrap_or(false)
    }

    #[test]
    fn an_endless_loop_is_killed_at_the_wall_limit_with_its_children() {
        let code = r#"fn main() {
    let child = std::process::Command::new("sleep").arg("1000").spawn().unwrap();
    println!("{}", child.id());
    loop { std::hint::spin_loop(); }
}
"#;
        let out = run(code, &short(2));
        assert!(out.compiled, "{}", out.compile_stderr);
        assert!(out.timed_out, "{out:?}");
        assert_eq!(out.signal, Some(libc::SIGKILL));
        assert!(out.elapsed >= Duration::from_secs(2) && out.elapsed < Duration::from_secs(5), "{:?}", out.elapsed);
        let child: u32 = out.stdout.trim().parse().expect("the child's pid");
        let deadline = Instant::now() + Duration::from_secs(2);
        while alive(child) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(child), "the program's child {child} outlived it");
    }

    #[test]
    fn allocating_past_the_memory_limit_fails() {
        let code = r#"fn main() {
    let mut v = vec![0u8; 1 << 30];
    for i in (0..v.len()).step_by(4096) { v[i] = 1; }
    println!("touched {} bytes", v.len());
}
"#;
        let out = run(code, &Limits { memory_bytes: 256 << 20, ..short(20) });
        assert!(out.compiled, "{}", out.compile_stderr);
        assert!(out.status != Some(0) && !out.stdout.contains("touched"), "{out:?}");
        assert!(out.stderr.contains("memory allocation of 1073741824 bytes failed"), "{}", out.stderr);
    }

    #[test]
    fn spawning_past_the_process_limit_fails() {
        let code = r#"fn main() {
    let mut children = Vec::new();
    for _ in 0..100 {
        match std::process::Command::new("sleep").arg("10").spawn() {
            Ok(child) => children.push(child),
            Err(_) => break,
        }
    }
    println!("{}", children.len());
    for mut child in children { let _ = child.kill(); let _ = child.wait(); }
}
"#;
        let limit = 10;
        let out = run(code, &Limits { processes: limit, ..short(20) });
        assert!(out.compiled, "{}", out.compile_stderr);
        let spawned: u64 = out.stdout.trim().parse().unwrap_or_else(|_| panic!("{out:?}"));
        // the program itself is one of the `limit`; other tests' programs, started or ended meanwhile as the same
        // user, can shift the count by a few
        assert!((1..limit + 6).contains(&spawned), "spawned {spawned} children with a limit of {limit}");
    }

    #[test]
    fn an_output_flood_is_cut_at_the_cap_and_stopped() {
        let code = "fn main() {\n    let line = \"x\".repeat(1000);\n    loop { println!(\"{line}\"); }\n}\n";
        let limits = Limits { output_bytes: 64 << 10, ..short(20) };
        let out = run(code, &limits);
        assert!(out.compiled, "{}", out.compile_stderr);
        assert!(out.truncated && !out.timed_out, "{:?}", (out.truncated, out.timed_out));
        assert_eq!(out.stdout.len(), 64 << 10);
        assert!(out.elapsed < Duration::from_secs(10), "stopped only after {:?}", out.elapsed);
    }

    #[test]
    fn the_environment_is_not_inherited() {
        // SAFETY: std serialises its own reads and writes of the environment, and nothing in these tests reads
        // it through C (getenv) meanwhile.
        unsafe { std::env::set_var("RUNNER_TEST_SECRET", "hunter2") };
        let out = run("fn main() {\n    for (k, v) in std::env::vars() { println!(\"{k}={v}\"); }\n}\n", &short(10));
        assert!(out.compiled, "{}", out.compile_stderr);
        assert!(!out.stdout.contains("RUNNER_TEST_SECRET") && !out.stdout.contains("hunter2"), "{}", out.stdout);
        let keys: Vec<&str> = out.stdout.lines().filter_map(|l| l.split('=').next()).collect();
        assert_eq!(keys.iter().copied().collect::<BTreeSet<_>>(), BTreeSet::from(["HOME", "PATH", "TMPDIR"]), "{}", out.stdout);
    }

    #[test]
    fn a_queue_answers_every_request_and_turns_the_surplus_away() {
        let queue = Arc::new(Queue::with_capacity(Toolchain::std_only().unwrap(), 2, 16));
        let start = Arc::new(std::sync::Barrier::new(20));
        let requests: Vec<_> = (0..20)
            .map(|i| {
                let (queue, start) = (Arc::clone(&queue), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    (i, queue.run(&format!("fn main() {{ println!(\"run {i}\"); }}\n"), &short(10)))
                })
            })
            .collect();
        let (mut ran, mut busy) = (0, 0);
        for request in requests {
            match request.join().expect("a request thread panicked") {
                (i, Ok(out)) => {
                    assert_eq!((out.stdout, out.status), (format!("run {i}\n"), Some(0)));
                    ran += 1;
                }
                (_, Err(e)) => {
                    assert_eq!(e, BUSY);
                    busy += 1;
                }
            }
        }
        // 2 running and 16 waiting: the 20 arrive together, well before the first compile ends, so 2 are turned
        // away (fewer only if a run ended first; never none while all 20 overlap)
        assert_eq!(ran + busy, 20);
        assert!(busy >= 1 && ran >= 2, "ran {ran}, busy {busy}");
        assert_eq!(queue.state.lock().unwrap().running, 0);
    }

    #[test]
    fn svg_files_the_program_wrote_are_returned() {
        let code = r#"fn main() {
    let dir = std::env::temp_dir();
    std::fs::write(dir.join("fig.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a figure").unwrap();
    std::os::unix::fs::symlink("/etc/hostname", dir.join("link.svg")).unwrap();
}
"#;
        let out = run(code, &short(10));
        assert_eq!(out.status, Some(0), "{out:?}");
        assert_eq!(out.svgs, [("fig.svg".to_owned(), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_owned())]);
    }

    #[test]
    fn the_build_with_the_most_features_is_linked() {
        let metadata = json!({
            "workspace_members": ["app"],
            "packages": [{ "id": "app", "targets": [{ "kind": ["lib"], "name": "app" }] }],
            "resolve": { "nodes": [{ "id": "app", "deps": [{ "name": "foo", "pkg": "foo 1.0" }] }] },
        });
        let artifact = |id: &str, features: &[&str], file: &str| {
            json!({ "reason": "compiler-artifact", "package_id": id, "target": { "kind": ["lib"] },
                    "profile": { "test": false }, "features": features, "filenames": [file] })
            .to_string()
        };
        let messages = [
            artifact("foo 1.0", &["std"], "/t/debug/deps/libfoo-bbbb.rlib"), // as a build script's dependency
            artifact("foo 1.0", &["std", "serde"], "/t/debug/deps/libfoo-aaaa.rlib"),
            artifact("foo 1.0", &[], "/t/debug/deps/libfoo-dddd.rlib"),
            artifact("app", &[], "/t/debug/deps/libapp-cccc.rlib"),
            json!({ "reason": "build-script-executed", "linked_paths": ["native=/t/debug/build/z/out"] }).to_string(),
        ]
        .join("\n");
        let (externs, search) = link_flags(&messages, &metadata, &["foo", "app"]).unwrap();
        assert_eq!(externs, ["foo=/t/debug/deps/libfoo-aaaa.rlib", "app=/t/debug/deps/libapp-cccc.rlib"]);
        assert_eq!(search, ["dependency=/t/debug/deps", "native=/t/debug/build/z/out"]);
        let missing = link_flags(&messages, &metadata, &["foo", "polars"]).unwrap_err();
        assert!(missing.contains("polars"), "{missing}");
    }

    /// The real thing: the workspace's build of polars and the course's crates. Run by hand (it builds the
    /// workspace if it is not built), without CARGO_TARGET_DIR pointing elsewhere:
    /// `cargo test -p xtask runner -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn a_listing_runs_against_the_workspace_build() {
        let toolchain = Toolchain::prepare(&crate::workspace_root()).unwrap();
        let code = r#"use ndarray::array;
use polars::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = array![[1.0, 2.0], [3.0, 4.0]];
    println!("sum {}", a.sum());
    let df = df!("x" => [1, 2, 3])?;
    println!("rows {}", df.height());
    let penguins = CsvReadOptions::default()
        .try_into_reader_with_file_path(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/data/penguins.csv").into()))?
        .finish()?;
    println!("penguins {}", penguins.height());
    Ok(())
}
"#;
        let out = toolchain.run(code, &Limits::default()).unwrap();
        eprintln!("{}\ncompile {:?}, run {:?}", out.compile_stderr, out.compile_elapsed, out.elapsed);
        assert!(out.compiled);
        assert_eq!(out.status, Some(0), "{out:?}");
        assert!(out.stdout.starts_with("sum 10\nrows 3\npenguins "), "{}", out.stdout);
    }

    /// Every complete listing of the book, through the runner as the page's Run button sends it, two at a
    /// time. By hand, like the test above (two minutes).
    #[test]
    #[ignore]
    fn every_listing_runs_against_the_workspace_build() {
        use crate::copying;
        let root = crate::workspace_root();
        let queue = Arc::new(Queue::with_capacity(Toolchain::prepare(&root).unwrap(), 2, 1000));
        let listings = crate::all_listings(&root).unwrap();
        let results = Mutex::new(Vec::new());
        thread::scope(|scope| {
            for part in listings.chunks(listings.len().div_ceil(2)) {
                let (queue, results) = (&queue, &results);
                scope.spawn(move || {
                    for listing in part {
                        let out = queue.run(&listing.program, &Limits::default()).unwrap();
                        let (compile, ran, figures) = (out.compile_elapsed.as_secs_f64(), out.elapsed.as_secs_f64(), out.svgs.len());
                        eprintln!("src/{}:{}: compile {compile:.1} s, run {ran:.2} s, {figures} figures", listing.page, listing.line);
                        results.lock().unwrap().push((listing, out));
                    }
                });
            }
        });
        // What the block's fence says: `should_panic` must fail; `ignore` (a compile error shown on purpose,
        // or a download) may do either; the rest must succeed.
        let as_the_book_says = |listing: &copying::Listing, out: &RunOutput| {
            let page = fs::read_to_string(root.join("src").join(&listing.page)).unwrap();
            let fence = page.lines().nth(listing.line - 1).unwrap_or("");
            fence.contains("ignore") || (out.status == Some(0)) != fence.contains("should_panic")
        };
        let wrong: Vec<String> = results
            .into_inner()
            .unwrap()
            .into_iter()
            .filter(|(listing, out)| !as_the_book_says(listing, out))
            .map(|(listing, out)| format!("src/{}:{}: {}{}", listing.page, listing.line, out.compile_stderr, out.stderr))
            .collect();
        assert!(wrong.is_empty(), "{} of {} listings did not do what the book says:\n{}", wrong.len(), listings.len(), wrong.join("\n"));
    }
}
