//! Syntax goldens.
//!
//! - `tests/syntax/ok/NAME.hsl` must parse; its tree dump must equal `NAME.ast`; printing and re-parsing gives
//!   the same tree (spans aside); every span lies inside its parent's and inside the file.
//! - `tests/syntax/err/NAME.hsl` must fail to parse; the rendered diagnostics (miette, no colour, 100 columns)
//!   must equal `NAME.stderr`.
//!
//! Regenerate every expected file with `HSL_BLESS=1 cargo test --test syntax`, then review the diff.

use std::path::{Path, PathBuf};

use hsl::source::SourceFile;
use hsl::syntax::{dump, parse, print, strip_spans};

fn cases(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "hsl"))
        .collect();
    files.sort();
    files
}

fn bless() -> bool {
    std::env::var_os("HSL_BLESS").is_some_and(|v| v != "0")
}

/// Compares `actual` with the expected file (or rewrites it when blessing); returns a failure message.
fn check_expected(path: &Path, actual: &str) -> Option<String> {
    if bless() {
        if let Err(error) = std::fs::write(path, actual) {
            return Some(format!("{}: cannot write: {error}", path.display()));
        }
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{} differs (HSL_BLESS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) => Some(format!("{} is missing (HSL_BLESS=1 to create it)\n--- actual\n{actual}", path.display())),
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn render(diagnostics: &hsl::error::Diagnostics) -> String {
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for diagnostic in &diagnostics.0 {
        if let Err(error) = handler.render_report(&mut out, diagnostic) {
            out.push_str(&format!("<render failed: {error}>\n"));
        }
    }
    out
}

fn report(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn ok_goldens_parse_dump_and_round_trip() {
    let mut failures = Vec::new();
    let all = cases("ok");
    assert!(all.len() >= 60, "only {} ok goldens", all.len());
    for path in all {
        let text = read(&path);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut tree = match parse(&SourceFile::new(name.as_str(), text.as_str())) {
            Ok(tree) => tree,
            Err(diagnostics) => {
                failures.push(format!("{} does not parse:\n{}", path.display(), render(&diagnostics)));
                continue;
            }
        };
        failures.extend(check_expected(&path.with_extension("ast"), &dump(&tree)));
        for problem in hsl::syntax::dump::span_violations(&tree, text.len() as u32) {
            failures.push(format!("{}: {problem}", path.display()));
        }
        let printed = print(&tree);
        match parse(&SourceFile::new("printed.hsl", printed.as_str())) {
            Ok(mut again) => {
                strip_spans(&mut tree);
                strip_spans(&mut again);
                if tree != again {
                    failures.push(format!("{}: printing changes the tree; printed:\n{printed}", path.display()));
                } else if print(&again) != printed {
                    failures.push(format!("{}: printing is not stable; printed:\n{printed}", path.display()));
                }
            }
            Err(diagnostics) => failures.push(format!(
                "{}: the printed form does not parse:\n{printed}\n{}",
                path.display(),
                render(&diagnostics)
            )),
        }
    }
    report(failures);
}

#[test]
fn err_goldens_fail_with_the_expected_diagnostics() {
    let mut failures = Vec::new();
    let all = cases("err");
    assert!(all.len() >= 30, "only {} err goldens", all.len());
    for path in all {
        let text = read(&path);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match parse(&SourceFile::new(name.as_str(), text.as_str())) {
            Ok(tree) => failures.push(format!("{} parses but should not:\n{}", path.display(), dump(&tree))),
            Err(diagnostics) => {
                for diagnostic in &diagnostics.0 {
                    for label in &diagnostic.labels {
                        if label.span.end as usize > text.len() || label.span.start > label.span.end {
                            failures.push(format!("{}: label {:?} outside the file", path.display(), label.span));
                        }
                    }
                }
                failures.extend(check_expected(&path.with_extension("stderr"), &render(&diagnostics)));
            }
        }
    }
    report(failures);
}

/// Every `.ast`/`.stderr` belongs to a `.hsl`, so renamed cases leave no stale expectations behind.
#[test]
fn no_orphan_expectations() {
    let mut failures = Vec::new();
    for (dir, extension) in [("ok", "ast"), ("err", "stderr")] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax").join(dir);
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == extension) && !path.with_extension("hsl").exists() {
                failures.push(format!("{} has no .hsl", path.display()));
            }
        }
    }
    report(failures);
}
