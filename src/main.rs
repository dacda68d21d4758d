use std::process::ExitCode;

use clap::Parser;
use mlflow_tui::cli::{Cli, run};
use mlflow_tui::text::sanitize_line;

/// mimalloc instead of glibc's malloc: a trace is hundreds of thousands of small strings and
/// maps, and glibc spent a quarter of the time of opening one in malloc and free (README,
/// Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Memory freed goes back to the system at once, not 10 ms later: opening a giant trace
    // frees its text and the parser's scratch in bursts, and with the delay they were still
    // resident when the analyses allocated theirs (the explorer on the 100k-span export:
    // peak RSS 177 MB with the delay, 138 MB without; README, Performance).
    // SAFETY: sets one of mimalloc's options, before any thread of ours exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // one line, anyhow's chain joined with ": ", control characters made visible
            eprintln!("mlflow-tui: {}", sanitize_line(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}
