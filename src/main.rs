//! The `leakgate` binary: CLI parsing and exit codes only.

use clap::{CommandFactory, Parser, Subcommand};
use leakgate::commands::{self, ColorChoice, Exit, Format, Globals};
use std::path::PathBuf;

/// Stops npm package leaks (source maps, secrets, denied files, codenames) before they
/// reach CI or the registry.
#[derive(Parser, Debug)]
#[command(
    name = "leakgate",
    version,
    about,
    propagate_version = true,
    disable_help_subcommand = true,
    after_help = "Reference pages: leakgate help TOPIC (config, ci, hooks, checks, …; `leakgate help` lists them)"
)]
struct Cli {
    /// Use this config file instead of `leakgate.toml` at the repository root.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Report format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to use colour (honours NO_COLOR).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print only blocking findings and errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Say more (repeatable).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Audit what each package would ship (dry-run pack audit).
    Audit(commands::audit::Args),
    /// List the files `npm pack` would ship.
    Files(commands::files::Args),
    /// Review the staged change (the pre-commit hook).
    #[command(name = "pre-commit")]
    PreCommit(commands::pre_commit::Args),
    /// Audit the packages a push touches (the pre-push hook).
    #[command(name = "pre-push")]
    PrePush(commands::pre_push::Args),
    /// Apply the packaging fixes the audit offers (keep maps and denied files out), after
    /// showing the diff.
    Fix(commands::fix::Args),
    /// Write or update the expected-contents lock (leakgate.lock).
    Lock(commands::lock::Args),
    /// Register the pre-commit and pre-push hooks in a repository.
    Install(commands::install::Args),
    /// Remove the hooks leakgate installed and restore what was there.
    Uninstall(commands::uninstall::Args),
    /// Check that leakgate is installed, would run, and is configured.
    Doctor(commands::doctor::Args),
    /// Write a commented leakgate.toml at the repository root.
    Init(commands::init::Args),
    /// Explain a rule (or list every rule).
    Explain(commands::explain::Args),
    /// Print or check the effective configuration.
    Config(commands::config::Args),
    /// Print the shell completion script (e.g. `leakgate completions bash >
    /// ~/.local/share/bash-completion/completions/leakgate`).
    Completions(CompletionsArgs),
    /// Print a reference page (`leakgate help config`) or a command's help; no argument
    /// lists the topics.
    Help(HelpArgs),
}

/// Arguments of `leakgate help`.
#[derive(clap::Args, Debug)]
struct HelpArgs {
    /// A topic (config, schema, ci, hooks, checks, packlist, json, install, performance) or a
    /// command name.
    topic: Option<String>,
}

/// Arguments of `leakgate completions`.
#[derive(clap::Args, Debug)]
struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

impl Command {
    /// The subcommand as typed.
    fn name(&self) -> &'static str {
        match self {
            Command::Audit(_) => "audit",
            Command::Files(_) => "files",
            Command::PreCommit(_) => "pre-commit",
            Command::PrePush(_) => "pre-push",
            Command::Fix(_) => "fix",
            Command::Lock(_) => "lock",
            Command::Install(_) => "install",
            Command::Uninstall(_) => "uninstall",
            Command::Doctor(_) => "doctor",
            Command::Init(_) => "init",
            Command::Explain(_) => "explain",
            Command::Config(_) => "config",
            Command::Completions(_) => "completions",
            Command::Help(_) => "help",
        }
    }
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    // A hook that stops on an error says how to get past it (the shims count on it).
    let bypass = match &cli.command {
        Command::PreCommit(_) => Some("git commit --no-verify"),
        Command::PrePush(_) => Some("git push --no-verify"),
        _ => None,
    };
    exit_on_panic(bypass);
    let globals = Globals {
        config: cli.config,
        format: cli.format,
        color: cli.color,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    leakgate::debug_panic_at(cli.command.name());
    let result = match &cli.command {
        Command::Audit(a) => commands::audit::run(a, &globals),
        Command::Files(a) => commands::files::run(a, &globals),
        Command::PreCommit(a) => commands::pre_commit::run(a, &globals),
        Command::PrePush(a) => commands::pre_push::run(a, &globals),
        Command::Fix(a) => commands::fix::run(a, &globals),
        Command::Lock(a) => commands::lock::run(a, &globals),
        Command::Install(a) => commands::install::run(a, &globals),
        Command::Uninstall(a) => commands::uninstall::run(a, &globals),
        Command::Doctor(a) => commands::doctor::run(a, &globals),
        Command::Init(a) => commands::init::run(a, &globals),
        Command::Explain(a) => commands::explain::run(a, &globals),
        Command::Config(a) => commands::config::run(a, &globals),
        // Here rather than in commands/: the script is generated from this file's `Cli`.
        Command::Completions(a) => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(a.shell, &mut Cli::command(), "leakgate", &mut out);
            Ok(Exit::Clean)
        }
        Command::Help(a) => help(a.topic.as_deref()),
    };
    let exit = match result {
        Ok(exit) => exit,
        Err(e) => {
            if is_broken_pipe(&e) {
                std::process::exit(0);
            }
            eprintln!("error: {}", commands::output::error_text(&e));
            if let Some(bypass) = bypass {
                eprintln!(
                    "  = note: leakgate could not run this check; to go ahead anyway: {bypass}"
                );
            }
            Exit::Usage
        }
    };
    std::process::exit(exit.code());
}

/// `leakgate help [TOPIC]`: a page compiled in, a command's help, or the list of both.
fn help(topic: Option<&str>) -> anyhow::Result<Exit> {
    use std::io::Write;
    let mut cmd = Cli::command();
    let text = match topic {
        None => format!("{}\n{}", cmd.render_long_help(), commands::help::list()),
        Some(name) => match commands::help::find(name) {
            Some(t) => t.text.to_string(),
            None => match cmd.find_subcommand_mut(name) {
                Some(sub) => sub
                    .clone()
                    .bin_name(format!("leakgate {name}"))
                    .render_long_help()
                    .to_string(),
                None => anyhow::bail!(
                    "no help topic or command `{name}`; `leakgate help` lists the topics"
                ),
            },
        },
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Clean)
}

/// A panic is a bug in leakgate, never a verdict: after Rust's own message (and backtrace,
/// with `RUST_BACKTRACE`) the process exits at once, from whichever thread panicked. A hook
/// (`bypass` is its `--no-verify` command) exits 1 and blocks: exit 2 would let the shims
/// apply `[hooks] on-error = "allow"`, and a crash checked nothing, so it must never pass
/// a commit or push through. Other commands exit 2 (an error, not findings).
fn exit_on_panic(bypass: Option<&'static str>) {
    let rust_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        rust_hook(info);
        eprintln!("error: leakgate crashed: this is a bug in leakgate, please report it");
        match bypass {
            Some(bypass) => {
                eprintln!(
                    "  = note: nothing was checked, so this is blocked whatever [hooks] on-error \
                     says; to go ahead anyway: {bypass}"
                );
                std::process::exit(Exit::Blocked.code());
            }
            None => std::process::exit(Exit::Usage.code()),
        }
    }));
}

/// A closed pipe (`leakgate files | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
