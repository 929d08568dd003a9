//! Rendering diagnostics: graphical with colour on a terminal, plain when piped, or JSON.

use std::io::IsTerminal;

use serde_json::json;

use crate::error::{Diagnostic, RuntimeReport};

/// Renders any miette diagnostic for the terminal (or plain text when stderr is not a terminal).
pub fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    let theme = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    render_with(diagnostic, theme)
}

/// Renders without colour (stable text for golden tests).
pub fn render_plain(diagnostic: &dyn miette::Diagnostic) -> String {
    render_with(diagnostic, miette::GraphicalTheme::unicode_nocolor())
}

fn render_with(diagnostic: &dyn miette::Diagnostic, theme: miette::GraphicalTheme) -> String {
    let mut out = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = diagnostic.to_string();
    }
    out
}

/// A compile diagnostic as a JSON object (for `--format json`).
pub fn diagnostic_json(diagnostic: &Diagnostic) -> serde_json::Value {
    let span = diagnostic.span();
    let (line, column) = diagnostic.file.line_column(span.start);
    let (end_line, end_column) = diagnostic.file.line_column(span.end);
    json!({
        "file": diagnostic.file.name(),
        "code": diagnostic.code,
        "message": diagnostic.message,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "severity": "error",
    })
}

/// A runtime error as a JSON object.
pub fn runtime_json(report: &RuntimeReport) -> serde_json::Value {
    let (line, column) = report.line_column();
    json!({
        "kind": report.error.kind.name(),
        "code": report.error.kind.code(),
        "message": report.error.message,
        "file": report.file.name(),
        "line": line,
        "column": column,
    })
}
