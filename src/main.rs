use std::process::ExitCode;

use clap::Parser;
use mlflow_tui::cli::{Cli, run};
use mlflow_tui::text::sanitize_line;

/// mimalloc instead of glibc's malloc: a trace is hundreds of thousands of small strings and
/// maps, and glibc spent a quarter of the time of opening one in malloc and free (README,
/// Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    mlflow_tui::return_freed_memory_at_once();
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
