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
    match grammar::ScriptParser::new().parse(lexer) {
        Ok(mut script) => {
            // The script covers the whole file, comments and blank lines included.
            script.span = Span::new(base, base.saturating_add(file.text().len() as u32));
            Ok(script)
        }
        Err(error) => {
            let trail = trail.borrow();
            Err(Diagnostics(vec![Report { file, base, trail: &trail }.diagnostic(error)]))
        }
    }
}

/// Operators that can only continue an expression; they are folded into "an operator" in expected lists.
const BINARY_OPERATORS: &[&str] = &[
    "===", "!==", "**=", "??=", ">>>", "==", "!=", "<=", ">=", "=~", "!~", "->", "**", "??", "+=", "-=", "*=", "/=",
    "%=", ".=", "<<", ">>", "*", "/", "%", ".", "=", "<", ">", "&", "|", "^", "?", "and", "or", "+", "-",
];

/// Postfix continuations; folded into "an operator" only next to real operators (`if` wants a plain `(`).
const CONTINUATIONS: &[&str] = &["(", "[", "++", "--", "::", "->"];

/// Tokens that can start an expression; when most of them are expected they become "an expression".
const EXPRESSION_STARTS: &[&str] = &[
    "variable", "name", "number", "string", "regex", "(", "[", "!", "~", "-", "+", "++", "--", "none", "true", "false",
    "function", "array", "match", "cache", "isset", "unset", "builtin", "static", "not",
];

/// Words the official grammar marks as illegal, with the HSL way to say it (open-questions §H).
const NOT_HSL: &[(&str, &str)] = &[
    ("new", "HSL has no `new`: classes are instantiated by calling them, `Foo()`"),
    ("elseif", "HSL has no `elseif`; write `else if`"),
    ("this", "write `$this` (with `$`) inside class methods"),
    ("self", "HSL has no `self`; write `static::` or the class name"),
    ("public", "HSL has no `public`: members are public unless marked `private`"),
    ("protected", "HSL has no `protected`; use `private`"),
    ("extends", "HSL classes have no inheritance"),
    ("implements", "HSL classes have no interfaces"),
    ("interface", "HSL has no interfaces"),
    ("trait", "HSL has no traits"),
    ("instanceof", "HSL has no `instanceof`"),
    ("in", "HSL has no `in` operator; use `array_includes()` or `isset($a[k])`"),
    ("is", "HSL has no `is` operator; use `is_string()`, `is_array()`, ..."),
    ("finally", "HSL has no `finally`; `try` takes exactly one `catch ($e)`"),
    ("export", "HSL has no `export`: everything in a module's global scope can be imported"),
    ("use", "HSL has no `use`; write `import { name } from \"file.hsl\";`"),
    ("namespace", "HSL has no namespaces; `import * as ns from \"file.hsl\";` gives `ns::name`"),
    ("const", "HSL has no `const`; assign a variable"),
    ("let", "HSL has no `let`; variables need no declaration: `$x = 1;`"),
    ("var", "HSL has no `var`; variables need no declaration: `$x = 1;`"),
    ("print", "HSL has no `print`; write `echo expr;`"),
    ("goto", "HSL has no `goto`"),
    ("lambda", "write an anonymous function: `function ($x) { return $x; }`"),
    ("assert", "HSL has no `assert`; use `if (...) throw ...;`"),
    ("clone", "HSL has no `clone`; arrays are copied on assignment"),
    ("struct", "HSL has no `struct`; use an array or a class"),
];

/// Everything needed to describe one parse error.
struct Report<'a> {
    file: &'a SourceFile,
    base: u32,
    trail: &'a Trail,
}

impl Report<'_> {
    /// A program-wide span made file-local.
    fn local(&self, span: Span) -> Span {
        let len = self.file.text().len() as u32;
        let start = span.start.saturating_sub(self.base).min(len);
        Span::new(start, span.end.saturating_sub(self.base).clamp(start, len))
    }

    fn text(&self, span: Span) -> &str {
        self.file.text().get(span.start as usize..span.end as usize).unwrap_or("")
    }

    fn make(&self, code: &'static str, message: impl Into<String>, span: Span, label: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, message, self.file, span, label)
    }

    fn diagnostic(&self, error: ParseError<u32, Token<'_>, LexError>) -> Diagnostic {
        match error {
            ParseError::InvalidToken { location } => self.make(
                "hsl::syntax::invalid_character",
                "unexpected character",
                self.local(Span::point(location)),
                "here",
            ),
            ParseError::UnrecognizedEof { location, expected } => self.eof(location, &expected),
            ParseError::UnrecognizedToken { token: (l, token, r), expected } => {
                self.unexpected(self.local(Span::new(l, r)), &token, &expected)
            }
            ParseError::ExtraToken { token: (l, token, r) } => self.make(
                "hsl::syntax::unexpected_token",
                format!("unexpected {}", found(&token)),
                self.local(Span::new(l, r)),
                "expected the end of the file",
            ),
            ParseError::User { error } => self.lex(error),
        }
    }

    fn eof(&self, location: u32, expected: &[String]) -> Diagnostic {
        let open = self.trail.open.last();
        let wanted = match open {
            Some((open, _)) => format!("`{}`", closing(*open)),
            None => expected_words(expected),
        };
        // Just after the last token; on the token itself when that is the very end of the file, where miette
        // draws no label.
        let len = self.file.text().len() as u32;
        let (span, label) = match self.trail.last[1] {
            Some(last) if last.end >= len => (last, format!("expected {wanted} after this")),
            Some(last) => (Span::point(last.end), format!("expected {wanted}")),
            None => (self.local(Span::point(location)), format!("expected {wanted}")),
        };
        let mut diagnostic =
            self.make("hsl::syntax::unexpected_eof", "the file ends in the middle of a statement", span, label);
        if let Some((open, span)) = open {
            diagnostic = diagnostic
                .with_label(*span, format!("this `{open}` is never closed"))
                .with_help(format!("add the missing `{}`", closing(*open)));
        } else if expects(expected, ";") {
            diagnostic = diagnostic.with_help("the last statement needs a `;`");
        }
        diagnostic
    }

    fn unexpected(&self, span: Span, token: &Token<'_>, expected: &[String]) -> Diagnostic {
        let mut diagnostic = self.make(
            "hsl::syntax::unexpected_token",
            format!("unexpected {}", found(token)),
            span,
            format!("expected {}", expected_words(expected)),
        );
        let previous = self.trail.last[0].filter(|p| p.end <= span.start);
        let previous_text = previous.map_or("", |p| self.text(p));
        let here = self.text(span);
        if let Some((_, help)) = NOT_HSL.iter().find(|(word, _)| *word == here || *word == previous_text) {
            diagnostic = diagnostic.with_help(*help);
        } else if matches!(token, Token::Yield | Token::Object) {
            diagnostic = diagnostic.with_help(format!("`{here}` is a reserved word with no meaning in HSL"));
        } else if expects(expected, "name") && super::token::symbol(token).starts_with(|c: char| c.is_alphabetic()) {
            diagnostic = diagnostic.with_help(format!("`{here}` is a reserved keyword and cannot be used as a name"));
        } else if matches!(token, Token::Number(_)) && matches!(previous_text, "break" | "continue") {
            // Normally caught by the grammar (`break 2;`); kept for `break 2` without `;`.
            diagnostic = diagnostic.with_help("HSL has no multi-level `break`/`continue`");
        } else if matches!(token, Token::LBracket) && expects(expected, "variable") && previous_text == "as" {
            diagnostic = diagnostic
                .with_help("`foreach` binds plain variables; destructure inside the body: `[$a, $b] = $row;`");
        } else if matches!(token, Token::Lt | Token::Le | Token::Gt | Token::Ge)
            || matches!(token, Token::Eq | Token::NotEq | Token::StrictEq | Token::StrictNotEq)
                && !expects(expected, "==")
        {
            diagnostic = diagnostic.with_help("comparisons do not chain; write `$a < $b and $b < $c`");
        } else if matches!(token, Token::Comma) && expects(expected, ";") {
            diagnostic = diagnostic
                .with_help("HSL has no comma operator: write separate statements (a `for` part holds one expression)");
        } else if expects(expected, ";")
            && !BINARY_OPERATORS.contains(&super::token::symbol(token))
            && let Some(previous) = previous
        {
            diagnostic = diagnostic
                .with_label(Span::point(previous.end), "perhaps a `;` is missing here")
                .with_help("each simple statement ends with `;`");
        } else if matches!(token, Token::RBrace | Token::RParen | Token::RBracket) {
            diagnostic = diagnostic.with_help("something is missing before this closing bracket");
        }
        diagnostic
    }

    fn lex(&self, error: LexError) -> Diagnostic {
        use LexError::*;
        let (code, message, span, label, help): (&str, String, Span, &str, Option<String>) = match error {
            InvalidCharacter => {
                ("hsl::syntax::invalid_character", "unexpected character".into(), Span::point(0), "here", None)
            }
            BadCharacter(span, c) => {
                let help = match c {
                    '#' => Some("`#` is not a comment in HSL; write `// ...` (`#/.../` is a regex literal)".into()),
                    '`' => Some("HSL has no backtick strings; write \"...\" or ''...''".into()),
                    '@' => Some("HSL has no `@` operator".into()),
                    c if !c.is_ascii() => Some("only ASCII is allowed outside strings and comments".into()),
                    _ => None,
                };
                ("hsl::syntax::invalid_character", format!("unexpected character `{c}`"), span, "not valid here", help)
            }
            Typographic(span, c) => {
                let (what, help) = match c {
                    '\u{a0}' => ("a non-breaking space", "replace it with a plain space"),
                    '“' | '”' => ("a typographic quote", "did you mean `\"`?"),
                    _ => ("a typographic quote", "did you mean `\"` (or `''...''` for a raw string)?"),
                };
                (
                    "hsl::syntax::invalid_character",
                    format!("unexpected {what}"),
                    span,
                    "not allowed outside strings",
                    Some(help.into()),
                )
            }
            UnterminatedString(span) => (
                "hsl::syntax::unterminated_string",
                "this string is never closed".into(),
                span,
                "the string starts here",
                Some("add the closing `\"`".into()),
            ),
            UnterminatedRawString(span, delimiter) => (
                "hsl::syntax::unterminated_raw_string",
                format!("raw string `'{delimiter}'` is never closed"),
                span,
                "the raw string starts here",
                Some(format!(
                    "`'` starts a raw string that ends at the next `'{delimiter}'`; for ordinary text write \"{delimiter}\" or ''{delimiter}''"
                )),
            ),
            UnterminatedComment(span) => (
                "hsl::syntax::unterminated_comment",
                "this comment is never closed".into(),
                span,
                "the comment starts here",
                Some("add `*/` (comments do not nest)".into()),
            ),
            UnterminatedRegex(span) => (
                "hsl::syntax::unterminated_regex",
                "this regex literal is never closed".into(),
                span,
                "starts here",
                Some("end it with `/` on the same line (write `\\/` for a literal slash)".into()),
            ),
            UnknownEscape(span, text) => (
                "hsl::syntax::unknown_escape",
                format!("unknown escape sequence `{text}`"),
                span,
                "not an HSL escape",
                Some(format!(
                    "the escapes are \\\\ \\\" \\$ \\n \\r \\t \\xHH; write `\\{text}` or use a raw string ''...''"
                )),
            ),
            BadHexEscape(span) => (
                "hsl::syntax::invalid_escape",
                "`\\x` needs exactly two hex digits".into(),
                span,
                "here",
                Some("write `\\x41` for the byte 0x41".into()),
            ),
            BadInterpolation(span) => (
                "hsl::syntax::invalid_interpolation",
                "`${` must hold a variable name and end with `}`".into(),
                span,
                "here",
                Some(
                    "write `${name}`; only plain variables are interpolated (write `\\$` for a literal dollar)".into(),
                ),
            ),
            InvalidNumber(span, why) => ("hsl::syntax::invalid_number", why.to_string(), span, "this number", None),
            BadRegexFlag(span, flag) => (
                "hsl::syntax::invalid_regex_flag",
                format!("unknown regex flag `{flag}`"),
                span,
                "not a flag",
                Some("the flags are i m u s x U X".into()),
            ),
            WordOperator(span, help) => (
                "hsl::syntax::unsupported_operator",
                format!("HSL has no `{}` operator", self.text(self.local(span))),
                span,
                "here",
                Some(help.into()),
            ),
            Elseif(span) => {
                ("hsl::syntax::elseif", "HSL has no `elseif`".into(), span, "here", Some("write `else if`".into()))
            }
            NestingTooDeep(span) => (
                "hsl::syntax::nesting_too_deep",
                format!("brackets are nested more than {} deep", super::MAX_NESTING),
                span,
                "too deep",
                Some("split the expression into smaller statements".into()),
            ),
            TreeTooDeep(span) => (
                "hsl::syntax::nesting_too_deep",
                format!("this expression or statement is nested more than {} levels deep", super::MAX_NESTING),
                // The node may span a whole file; its first character is enough to find it.
                Span::new(span.start, span.end.min(span.start.saturating_add(1))),
                "this is too deep",
                Some("split it into smaller statements".into()),
            ),
            MismatchedBracket { close, open, open_char } => {
                let diagnostic = self
                    .make(
                        "hsl::syntax::mismatched_bracket",
                        format!("`{}` does not close `{open_char}`", self.text(self.local(close))),
                        self.local(close),
                        format!("expected `{}` here", closing(open_char)),
                    )
                    .with_label(self.local(open), format!("this `{open_char}` is still open"));
                return diagnostic.with_help(format!("close the `{open_char}` with `{}` first", closing(open_char)));
            }
            UnopenedBracket(span) => (
                "hsl::syntax::unbalanced_bracket",
                format!("`{}` has no matching opening bracket", self.text(self.local(span))),
                span,
                "nothing to close",
                Some("remove it, or add the opening bracket".into()),
            ),
            Syntax { span, code, message, help } => (code, message, span, "here", help),
        };
        let diagnostic = self.make(code, message, self.local(span), label);
        match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

fn expects(expected: &[String], terminal: &str) -> bool {
    expected.iter().any(|e| e.trim_matches('"') == terminal)
}

/// Tokens that start statements; when `echo` and `if` are both expected they become "a statement".
const STATEMENT_STARTS: &[&str] = &[
    "echo",
    "if",
    "for",
    "foreach",
    "while",
    "forever",
    "switch",
    "break",
    "continue",
    "return",
    "throw",
    "try",
    "global",
    "barrier",
    "include",
    "include_once",
    "import",
    "function",
    "class",
    "{",
    ";",
];

/// Terminals named in words in the grammar (everything else is a keyword or a symbol).
const TERMINAL_WORDS: &[&str] = &["name", "variable", "number", "string", "regex", "a statement"];

/// The found token in a message: "unexpected `;`", "unexpected variable `$x`".
fn found(token: &Token<'_>) -> String {
    match token {
        Token::Variable(name) => format!("variable `${name}`"),
        Token::Ident(name) => format!("name `{name}`"),
        Token::Number(_) => "number".into(),
        Token::Str(_) => "string".into(),
        Token::Regex(_) => "regex literal".into(),
        other => other.to_string(),
    }
}

/// The expected tokens in words: statement and expression starts folded into "a statement" / "an expression",
/// operators into "an operator", keywords allowed as member names into "a name".
fn expected_words(expected: &[String]) -> String {
    let mut names: Vec<&str> = expected.iter().map(|raw| raw.trim_matches('"')).collect();
    // After `->` and `::` every keyword is a valid member name (`case` can only be one there).
    let keyword = |name: &str| name.starts_with(|c: char| c.is_ascii_lowercase()) && !TERMINAL_WORDS.contains(&name);
    if names.contains(&"name") && names.contains(&"case") {
        names.retain(|name| !keyword(name));
    }
    let statement = names.contains(&"echo") && names.contains(&"if");
    if statement {
        names.retain(|name| !STATEMENT_STARTS.contains(name) && !EXPRESSION_STARTS.contains(name));
        names.insert(0, "a statement");
    }
    let expression = ["variable", "number", "string"].iter().all(|start| names.contains(start));
    let operator = names.iter().any(|name| BINARY_OPERATORS.contains(name) && !EXPRESSION_STARTS.contains(name))
        || (!expression && names.iter().any(|name| BINARY_OPERATORS.contains(name)));
    let mut words: Vec<String> = Vec::new();
    for name in &names {
        if expression && EXPRESSION_STARTS.contains(name) {
            continue;
        }
        if BINARY_OPERATORS.contains(name) || (operator && CONTINUATIONS.contains(name)) {
            continue;
        }
        let word = match *name {
            "variable" => "a variable".to_string(),
            "name" => "a name".to_string(),
            "number" => "a number".to_string(),
            "string" => "a string".to_string(),
            "regex" => "a regex literal".to_string(),
            "a statement" => "a statement".to_string(),
            other => format!("`{other}`"),
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if expression {
        words.insert(0, "an expression".to_string());
    }
    if operator {
        words.push("an operator".to_string());
    }
    if words.len() > 8 {
        words.truncate(7);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> Diagnostic {
        match parse(&SourceFile::new("t.hsl", text), 0) {
            Ok(_) => panic!("parsed: {text}"),
            Err(mut diagnostics) => diagnostics.0.remove(0),
        }
    }

    #[test]
    fn expected_lists_stay_short() {
        let d = error("$x = 1 $y = 2;");
        assert_eq!(d.code, "hsl::syntax::unexpected_token");
        assert_eq!(d.labels[0].text, "expected `;` or an operator");
        assert_eq!(d.labels[1].span, Span::point(6));
        assert_eq!(error("$x = ;").labels[0].text, "expected an expression");
    }

    #[test]
    fn positions_are_file_local_with_a_base() {
        let file = SourceFile::new("t.hsl", "$x = 1 +;");
        let d = parse(&file, 1000).expect_err("fails").0.remove(0);
        assert_eq!(d.span(), Span::new(8, 9));
        let d = parse(&SourceFile::new("t.hsl", "echo \"\\q\";"), 1000).expect_err("fails").0.remove(0);
        assert_eq!((d.code, d.span()), ("hsl::syntax::unknown_escape", Span::new(6, 8)));
        let d = parse(&SourceFile::new("t.hsl", "$x = 1 = 2;"), 1000).expect_err("fails").0.remove(0);
        assert_eq!((d.code, d.span()), ("hsl::syntax::invalid_assignment_target", Span::new(5, 6)));
    }

    #[test]
    fn unclosed_brackets_are_named() {
        let d = error("if ($x) {\n echo 1;\n");
        assert_eq!(d.code, "hsl::syntax::unexpected_eof");
        assert_eq!(d.labels[1].span, Span::new(8, 9));
        let d = error("f(1];");
        assert_eq!(d.code, "hsl::syntax::mismatched_bracket");
        assert_eq!(d.labels[1].span, Span::new(1, 2));
    }

    #[test]
    fn illegal_words_get_help() {
        assert!(error("$x = new Foo();").help.is_some_and(|h| h.contains("Foo()")));
        assert!(error("class A extends B {}").help.is_some_and(|h| h.contains("inheritance")));
        assert!(error("function echo() {}").help.is_some_and(|h| h.contains("reserved")));
        assert!(error("if (1) {} elseif (2) {}").help.is_some_and(|h| h.contains("else if")));
        assert!(error("$a = $b && $c;").help.is_some_and(|h| h.contains("and")));
        assert!(error("$a &= 1;").help.is_some_and(|h| h.contains("$x = $x & y")));
    }
}
