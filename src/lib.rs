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
