//! mlflow-tui: a terminal UI for exploring MLflow GenAI traces.

pub mod cli;
pub mod model;
pub mod source;
pub mod text;
