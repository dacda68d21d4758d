//! mlflow-tui: a terminal UI for exploring MLflow GenAI traces.

pub mod app;
pub mod cli;
pub mod config;
pub mod highlight;
pub mod keymap;
pub mod model;
pub mod source;
pub mod text;
pub mod tui;
pub mod ui;
pub mod update;
pub mod viewport;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Has mimalloc (the binary's global allocator) give memory back to the system as soon as it is
/// freed, not 10 ms later: opening a giant trace frees its text and the parser's scratch in
/// bursts, and with the delay they were still resident when the analyses allocated theirs (the
/// explorer on the 100k-span export: peak RSS 177 MB with the delay, 138 MB without; README,
/// Performance). Call it first thing in `main`, before any thread is started.
pub fn return_freed_memory_at_once() {
    // SAFETY: sets one of mimalloc's options; called before any thread of ours exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}
