//! Runs the LALRPOP parser and turns its errors into diagnostics a mail admin understands.

use std::cell::RefCell;
use std::rc::Rc;

use lalrpop_util::ParseError;

use super::ast;
use super::lexer::{Lexer, Trail};
use super::token::{LexError, Token};
use crate::error::{Diagnostic, Diagnostics};
use crate::source::SourceFile;
use crate::span::Span;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_qualifications, missing_docs, unused_parens)]
    grammar,
    "/hsl.rs"
);

/// Parses one file; positions in the tree are shifted by `base`.
pub fn parse(file: &SourceFile, base: u32) -> Result<ast::Script, Diagnostics> {
    let trail = Rc::new(RefCell::new(Trail::default()));
    let lexer = Lexer::new(file.text(), base, trail.clone());
    grammar::ScriptParser::new()
        .parse(lexer)
        .map_err(|error| Diagnostics(vec![diagnostic(file, base, error, &trail.borrow())]))
}

fn local(span: Span, base: u32) -> Span {
    Span::new(span.start.saturating_sub(base), span.end.saturating_sub(base))
}

const OPERATORS: &[&str] = &[
    "===", "!==", "**=", "??=", ">>>", "==", "!=", "<=", ">=", "=~", "!~", "->", "++", "--", "**", "??", "+=", "-=",
    "*=", "/=", "%=", ".=", "<<", ">>", "+", "-", "*", "/", "%", ".", "=", "<", ">", "&", "|", "^", "?", "and", "or",
];

/// The expected tokens in words, operators folded into "an operator".
fn expected_words(expected: &[String]) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut operator = false;
    for raw in expected {
        let name = raw.trim_matches('"');
        if OPERATORS.contains(&name) {
            operator = true;
            continue;
        }
        let word = match name {
            "variable" => "a variable".to_string(),
            "name" => "a name".to_string(),
            "number" => "a number".to_string(),
            "string" => "a string".to_string(),
            "regex" => "a regex literal".to_string(),
            other => format!("`{other}`"),
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    let expression_starts = ["a variable", "a number", "a string", "a name"];
    if expression_starts.iter().all(|start| words.iter().any(|w| w == start)) {
        words.retain(|w| {
            !expression_starts.contains(&w.as_str())
                && ![
                    "`(`",
                    "`[`",
                    "`!`",
                    "`~`",
                    "`none`",
                    "`true`",
                    "`false`",
                    "`function`",
                    "`array`",
                    "`match`",
                    "`cache`",
                    "`isset`",
                    "`unset`",
                    "`builtin`",
                    "`static`",
                    "`not`",
                    "a regex literal",
                ]
                .contains(&w.as_str())
        });
        words.insert(0, "an expression".to_string());
    }
    if operator {
        words.push("an operator".to_string());
    }
    if words.len() > 6 {
        words.truncate(6);
        words.push("…".to_string());
    }
    match words.len() {
        0 => "nothing more".to_string(),
        1 => words.remove(0),
        n => {
            let last = words.remove(n - 1);
            format!("{} or {last}", words.join(", "))
        }
    }
}

fn diagnostic(file: &SourceFile, base: u32, error: ParseError<u32, Token<'_>, LexError>, trail: &Trail) -> Diagnostic {
    match error {
        ParseError::InvalidToken { location } => Diagnostic::new(
            "hsl::syntax::invalid_character",
            "unexpected character",
            file,
            Span::point(location - base),
            "here",
        ),
        ParseError::UnrecognizedEof { location, expected } => {
            let end = Span::point(location.saturating_sub(base).min(file.text().len() as u32));
            let mut diagnostic = Diagnostic::new(
                "hsl::syntax::unexpected_eof",
                "the file ends in the middle of a statement",
                file,
                end,
                format!("expected {}", expected_words(&expected)),
            );
            if let Some((open, span)) = trail.open.last() {
                let close = match open {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                diagnostic = diagnostic
                    .with_label(*span, format!("this `{open}` is never closed"))
                    .with_help(format!("add the missing `{close}`"));
            } else if expected.iter().any(|e| e == "\";\"") {
                diagnostic = diagnostic.with_help("the last statement needs a `;`");
            }
            diagnostic
        }
        ParseError::UnrecognizedToken { token: (l, token, r), expected } => {
            let span = Span::new(l - base, r - base);
            let words = expected_words(&expected);
            let mut diagnostic = Diagnostic::new(
                "hsl::syntax::unexpected_token",
                format!("unexpected {token}"),
                file,
                span,
                format!("expected {words}"),
            );
            if expected.iter().any(|e| e == "\";\"")
                && let Some(previous) = trail.last[0]
            {
                diagnostic = diagnostic
                    .with_label(Span::point(previous.end), "perhaps a `;` is missing here")
                    .with_help("each simple statement ends with `;`");
            } else if let Token::Ident("new") = token {
                diagnostic = diagnostic.with_help("HSL has no `new`: instantiate a class by calling it, `Foo()`");
            } else if let Token::LBracket = token
                && expected.iter().any(|e| e == "\"variable\"")
            {
                diagnostic = diagnostic.with_help("`foreach` binds plain variables; destructure inside the loop body");
            }
            diagnostic
        }
        ParseError::ExtraToken { token: (l, token, r) } => Diagnostic::new(
            "hsl::syntax::unexpected_token",
            format!("unexpected {token}"),
            file,
            Span::new(l - base, r - base),
            "not expected here",
        ),
        ParseError::User { error } => lex_diagnostic(file, base, error),
    }
}

fn lex_diagnostic(file: &SourceFile, base: u32, error: LexError) -> Diagnostic {
    let d = |code, message: String, span: Span, label: &str| Diagnostic::new(code, message, file, span, label);
    match error {
        LexError::InvalidCharacter => d("hsl::syntax::invalid_character", "unexpected character".into(), Span::point(0), "here"),
        LexError::Typographic(span, what) => {
            d("hsl::syntax::invalid_character", format!("this is {what}"), span, "not allowed outside strings")
        }
        LexError::UnterminatedString(span) => d(
            "hsl::syntax::unterminated_string",
            "this string is never closed".into(),
            span,
            "the string starts here",
        )
        .with_help("add the closing `\"`"),
        LexError::UnterminatedRawString(span, delimiter) => d(
            "hsl::syntax::unterminated_raw_string",
            format!("raw string `'{delimiter}'` is never closed"),
            span,
            "the raw string starts here",
        )
        .with_help(format!(
            "`'` starts a raw string that ends at the next `'{delimiter}'`; for ordinary text write \"{delimiter}\" or ''{delimiter}''"
        )),
        LexError::UnterminatedComment(span) => d(
            "hsl::syntax::unterminated_comment",
            "this comment is never closed".into(),
            span,
            "the comment starts here",
        )
        .with_help("add `*/`"),
        LexError::UnterminatedRegex(span) => d(
            "hsl::syntax::unterminated_regex",
            "this regex literal is never closed".into(),
            span,
            "starts here",
        )
        .with_help("end it with `/` (write `\\/` for a literal slash)"),
        LexError::UnknownEscape(span, text) => d(
            "hsl::syntax::unknown_escape",
            format!("unknown escape sequence `{text}`"),
            span,
            "not an HSL escape",
        )
        .with_help("the escapes are \\\\ \\\" \\$ \\n \\r \\t \\xHH; write `\\\\` for a backslash or use a raw string ''...''"),
        LexError::BadHexEscape(span) => d(
            "hsl::syntax::invalid_escape",
            "`\\x` needs exactly two hex digits".into(),
            span,
            "here",
        ),
        LexError::BadInterpolation(span) => d(
            "hsl::syntax::invalid_interpolation",
            "`${` must hold a variable name and end with `}`".into(),
            span,
            "here",
        )
        .with_help("write `${name}`; only plain variables are interpolated (write `\\$` for a literal dollar)"),
        LexError::InvalidNumber(span, why) => d("hsl::syntax::invalid_number", why.to_string(), span, "this number"),
        LexError::BadRegexFlag(span, flag) => d(
            "hsl::syntax::invalid_regex_flag",
            format!("unknown regex flag `{flag}`"),
            span,
            "the flags are i m u s x U X",
        ),
        LexError::WordOperator(span, help) => {
            d("hsl::syntax::unsupported_operator", "HSL has no such operator".into(), span, "here").with_help(help)
        }
        LexError::Elseif(span) => d("hsl::syntax::elseif", "HSL has no `elseif`".into(), span, "here")
            .with_help("write `else if`"),
        LexError::NestingTooDeep(span) => d(
            "hsl::syntax::nesting_too_deep",
            format!("brackets are nested more than {} deep", super::MAX_NESTING),
            span,
            "too deep",
        ),
        LexError::TreeTooDeep(span) => d(
            "hsl::syntax::nesting_too_deep",
            format!("this expression or statement is nested more than {} levels deep", super::MAX_NESTING),
            local(span, base),
            "too deep",
        )
        .with_help("split it into smaller statements"),
        LexError::Syntax { span, code, message, help } => {
            // Errors from grammar actions carry program-wide spans; lexer ones are already file-local.
            let span = if code.contains("bracket") || code.contains("character") { span } else { local(span, base) };
            let diagnostic = d(code, message, span, "here");
            match help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            }
        }
    }
}
