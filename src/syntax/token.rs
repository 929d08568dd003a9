//! Tokens. Logos recognises the fixed ones; string bodies, raw strings and regex literals are scanned by
//! callbacks so their escapes and interpolations are checked once, with exact spans.

use std::fmt;

use logos::{Lexer, Logos};

use crate::span::Span;
use crate::syntax::ast::StrPart;

/// Why lexing failed, with the span to point at.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LexError {
    /// A character that starts no token.
    #[default]
    InvalidCharacter,
    /// A typographic quote or non-breaking space outside a string.
    Typographic(Span, char),
    /// `"` without its closing quote.
    UnterminatedString(Span),
    /// `'DELIM'` without its closing delimiter.
    UnterminatedRawString(Span, String),
    /// `/*` without `*/`.
    UnterminatedComment(Span),
    /// `#/` without its closing `/`.
    UnterminatedRegex(Span),
    /// An escape the language does not define.
    UnknownEscape(Span, String),
    /// `\x` not followed by two hex digits.
    BadHexEscape(Span),
    /// `${` without a name and `}`.
    BadInterpolation(Span),
    /// A malformed number literal.
    InvalidNumber(Span, &'static str),
    /// An unknown regex flag.
    BadRegexFlag(Span, char),
    /// `&&` / `||`.
    WordOperator(Span, &'static str),
    /// `elseif`.
    Elseif(Span),
    /// Brackets nested past the limit.
    NestingTooDeep(Span),
    /// A syntax-tree node nested past the limit (raised by the grammar actions).
    TreeTooDeep(Span),
    /// A character that starts no token, with its span.
    BadCharacter(Span, char),
    /// A closing bracket that does not match the innermost open one.
    MismatchedBracket {
        /// The closing bracket.
        close: Span,
        /// The open bracket it should have closed.
        open: Span,
        /// Which bracket is open.
        open_char: char,
    },
    /// A closing bracket with nothing open.
    UnopenedBracket(Span),
    /// A grammar-level problem found by an action (bad assignment target, mixed destructuring...).
    Syntax {
        /// Where.
        span: Span,
        /// Stable diagnostic code.
        code: &'static str,
        /// One-line message.
        message: String,
        /// Advice, if any.
        help: Option<String>,
    },
}

impl LexError {
    /// The same error with every span moved by `base` (file-local to program-wide positions).
    pub fn shifted(self, base: u32) -> LexError {
        let s = |span: Span| Span::new(span.start.saturating_add(base), span.end.saturating_add(base));
        use LexError::*;
        match self {
            InvalidCharacter => InvalidCharacter,
            Typographic(span, what) => Typographic(s(span), what),
            UnterminatedString(span) => UnterminatedString(s(span)),
            UnterminatedRawString(span, delimiter) => UnterminatedRawString(s(span), delimiter),
            UnterminatedComment(span) => UnterminatedComment(s(span)),
            UnterminatedRegex(span) => UnterminatedRegex(s(span)),
            UnknownEscape(span, text) => UnknownEscape(s(span), text),
            BadHexEscape(span) => BadHexEscape(s(span)),
            BadInterpolation(span) => BadInterpolation(s(span)),
            InvalidNumber(span, why) => InvalidNumber(s(span), why),
            BadRegexFlag(span, flag) => BadRegexFlag(s(span), flag),
            WordOperator(span, help) => WordOperator(s(span), help),
            Elseif(span) => Elseif(s(span)),
            NestingTooDeep(span) => NestingTooDeep(s(span)),
            TreeTooDeep(span) => TreeTooDeep(s(span)),
            BadCharacter(span, c) => BadCharacter(s(span), c),
            MismatchedBracket { close, open, open_char } => {
                MismatchedBracket { close: s(close), open: s(open), open_char }
            }
            UnopenedBracket(span) => UnopenedBracket(s(span)),
            Syntax { span, code, message, help } => Syntax { span: s(span), code, message, help },
        }
    }
}

/// A string literal as lexed: plain bytes or parts with interpolated variables.
#[derive(Clone, Debug, PartialEq)]
pub enum StrToken {
    /// No interpolation (double-quoted without `$name`, or raw).
    Plain(Vec<u8>),
    /// With `$name` / `${name}` parts.
    Parts(Vec<StrPart>),
}

/// A `#/pattern/flags` literal.
#[derive(Clone, Debug, PartialEq)]
pub struct RegexToken {
    /// Pattern bytes (`\/` unescaped).
    pub pattern: Vec<u8>,
    /// Flags.
    pub flags: String,
}

/// Every token of HSL.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\n\x0C]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub enum Token<'src> {
    /// `/* ... */` (filtered out by the lexer wrapper).
    #[token("/*", block_comment)]
    Comment,

    /// `$name` (without the `$`).
    #[regex(r"\$[A-Za-z_][A-Za-z0-9_]*", |lex| &lex.slice()[1..])]
    Variable(&'src str),
    /// A name.
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice(), priority = 1)]
    Ident(&'src str),
    /// A number literal's value.
    #[regex(r"[0-9][0-9A-Za-z_]*(\.[0-9][0-9A-Za-z_]*)?", number)]
    Number(f64),
    /// A double-quoted or raw string.
    #[token("\"", double_quoted)]
    #[token("'", raw_string)]
    Str(StrToken),
    /// `#/pattern/flags`.
    #[token("#/", regex_literal)]
    Regex(RegexToken),

    #[token("and")]
    And,
    #[token("array")]
    Array,
    #[token("as")]
    As,
    #[token("barrier")]
    Barrier,
    #[token("break")]
    Break,
    #[token("builtin")]
    Builtin,
    #[token("cache")]
    Cache,
    #[token("case")]
    Case,
    #[token("catch")]
    Catch,
    #[token("class")]
    Class,
    #[token("closure")]
    Closure,
    #[token("constructor")]
    Constructor,
    #[token("continue")]
    Continue,
    #[token("default")]
    Default,
    #[token("echo")]
    Echo,
    #[token("else")]
    Else,
    #[token("false")]
    False,
    #[token("for")]
    For,
    #[token("foreach")]
    Foreach,
    #[token("forever")]
    Forever,
    #[token("from")]
    From,
    #[token("function")]
    Function,
    #[token("global")]
    Global,
    #[token("if")]
    If,
    #[token("import")]
    Import,
    #[token("include")]
    Include,
    #[token("include_once")]
    IncludeOnce,
    #[token("isset")]
    Isset,
    #[token("match")]
    Match,
    #[token("none")]
    None,
    #[token("not")]
    Not,
    #[token("object")]
    Object,
    #[token("or")]
    Or,
    #[token("private")]
    Private,
    #[token("readonly")]
    Readonly,
    #[token("return")]
    Return,
    #[token("static")]
    Static,
    #[token("switch")]
    Switch,
    #[token("throw")]
    Throw,
    #[token("true")]
    True,
    #[token("try")]
    Try,
    #[token("unset")]
    Unset,
    #[token("while")]
    While,
    #[token("with")]
    With,
    #[token("yield")]
    Yield,

    #[token("===")]
    StrictEq,
    #[token("!==")]
    StrictNotEq,
    #[token("**=")]
    PowAssign,
    #[token("??=")]
    CoalesceAssign,
    #[token(">>>")]
    UShr,
    #[token("...")]
    Ellipsis,
    #[token("==")]
    Eq,
    #[token("!=")]
    NotEq,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("=~")]
    RegexMatch,
    #[token("!~")]
    RegexNotMatch,
    #[token("->")]
    Arrow,
    #[token("::")]
    DoubleColon,
    #[token("=>")]
    FatArrow,
    #[token("++")]
    Increment,
    #[token("--")]
    Decrement,
    #[token("**")]
    Pow,
    #[token("??")]
    Coalesce,
    #[token("+=")]
    AddAssign,
    #[token("-=")]
    SubAssign,
    #[token("*=")]
    MulAssign,
    #[token("/=")]
    DivAssign,
    #[token("%=")]
    ModAssign,
    #[token(".=")]
    ConcatAssign,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token(".")]
    Dot,
    #[token("=")]
    Assign,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("!")]
    Bang,
    #[token("~")]
    Tilde,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("?")]
    Question,
    #[token(":")]
    Colon,
    #[token(";")]
    Semicolon,
    #[token(",")]
    Comma,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,

    /// `&&`, `||`, `&=` ... (recognised only to explain them).
    #[token("&&", |lex| word_operator(lex, "use `and` instead of `&&`"))]
    #[token("||", |lex| word_operator(lex, "use `or` instead of `||`"))]
    #[token("&=", |lex| word_operator(lex, "HSL has no `&=`; write `$x = $x & y`"))]
    #[token("|=", |lex| word_operator(lex, "HSL has no `|=`; write `$x = $x | y`"))]
    #[token("^=", |lex| word_operator(lex, "HSL has no `^=`; write `$x = $x ^ y`"))]
    #[token("<<=", |lex| word_operator(lex, "HSL has no `<<=`; write `$x = $x << y`"))]
    #[token(">>=", |lex| word_operator(lex, "HSL has no `>>=`; write `$x = $x >> y`"))]
    #[token(">>>=", |lex| word_operator(lex, "HSL has no `>>>=`; write `$x = $x >>> y`"))]
    #[token("elseif", elseif)]
    #[token("“", typographic)]
    #[token("”", typographic)]
    #[token("‘", typographic)]
    #[token("’", typographic)]
    #[token("\u{a0}", typographic)]
    Never,
}

fn span_of<'s>(lex: &Lexer<'s, Token<'s>>) -> Span {
    Span::new(lex.span().start as u32, lex.span().end as u32)
}

fn word_operator<'s>(lex: &mut Lexer<'s, Token<'s>>, help: &'static str) -> Result<(), LexError> {
    Err(LexError::WordOperator(span_of(lex), help))
}

fn elseif<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<(), LexError> {
    Err(LexError::Elseif(span_of(lex)))
}

fn typographic<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<(), LexError> {
    Err(LexError::Typographic(span_of(lex), lex.slice().chars().next().unwrap_or(' ')))
}

fn block_comment<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<(), LexError> {
    match lex.remainder().find("*/") {
        Some(end) => {
            lex.bump(end + 2);
            Ok(())
        }
        None => {
            let start = lex.span().start as u32;
            lex.bump(lex.remainder().len());
            Err(LexError::UnterminatedComment(Span::new(start, start + 2)))
        }
    }
}

/// Validates a number literal: `_` only between digits, lower-case radix prefixes, no exponent.
fn number<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<f64, LexError> {
    let text = lex.slice();
    let span = span_of(lex);
    let after = lex.remainder();
    if after.starts_with('.') && after[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return Err(LexError::InvalidNumber(span, "a number has at most one decimal point"));
    }
    // `5.` and `1._5`: a dot that ends a number or meets `_` is a malformed fraction (Q-LEX-5). A dot followed
    // by an operand (`1."x"`, `1.$y`) stays concatenation.
    if let Some(next) = after.strip_prefix('.')
        && (next.is_empty() || next.starts_with(['_', ' ', '\t', '\r', '\n', ';', ')', ']', '}', ',']))
    {
        let end = span.end + 1 + u32::from(next.starts_with('_'));
        return Err(LexError::InvalidNumber(
            Span::new(span.start, end),
            "a decimal point needs digits on both sides (write `5.0` or `5`)",
        ));
    }
    let (digits, radix) = if let Some(rest) = text.strip_prefix("0x") {
        (rest, 16)
    } else if let Some(rest) = text.strip_prefix("0o") {
        (rest, 8)
    } else if let Some(rest) = text.strip_prefix("0b") {
        (rest, 2)
    } else {
        (text, 10)
    };
    let valid_group = |group: &str| {
        !group.is_empty()
            && !group.starts_with('_')
            && !group.ends_with('_')
            && !group.contains("__")
            && group.chars().all(|c| c == '_' || c.is_digit(radix))
    };
    if radix != 10 {
        if !valid_group(digits) {
            return Err(LexError::InvalidNumber(span, "invalid digits for this radix (`_` only between digits)"));
        }
        let clean: String = digits.chars().filter(|c| *c != '_').collect();
        let mut value = 0f64;
        for c in clean.chars() {
            value = value * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0));
        }
        return Ok(value);
    }
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    if !valid_group(whole) || fraction.is_some_and(|f| !valid_group(f)) {
        let reason = if digits.contains(['e', 'E']) {
            "HSL numbers have no exponent form"
        } else if digits.starts_with("0X") || digits.starts_with("0O") || digits.starts_with("0B") {
            "radix prefixes are lower case (`0x`, `0o`, `0b`)"
        } else {
            "invalid number (`_` only between digits)"
        };
        return Err(LexError::InvalidNumber(span, reason));
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    clean.parse::<f64>().map_err(|_| LexError::InvalidNumber(span, "invalid number"))
}

/// Scans a double-quoted string after its opening quote.
fn double_quoted<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<StrToken, LexError> {
    let start = lex.span().start;
    let rest = lex.remainder().as_bytes();
    let mut parts: Vec<StrPart> = Vec::new();
    let mut literal: Vec<u8> = Vec::new();
    let mut index = 0;
    let at = |i: usize| (start + 1 + i) as u32;
    while index < rest.len() {
        match rest[index] {
            b'"' => {
                lex.bump(index + 1);
                if parts.is_empty() {
                    return Ok(StrToken::Plain(literal));
                }
                if !literal.is_empty() {
                    parts.push(StrPart::Literal(literal));
                }
                return Ok(StrToken::Parts(parts));
            }
            b'\\' => {
                let escape_start = at(index);
                let Some(&next) = rest.get(index + 1) else { break };
                match next {
                    b'\\' => literal.push(b'\\'),
                    b'"' => literal.push(b'"'),
                    b'$' => literal.push(b'$'),
                    b'n' => literal.push(b'\n'),
                    b'r' => literal.push(b'\r'),
                    b't' => literal.push(b'\t'),
                    b'x' => {
                        let hex = rest.get(index + 2..index + 4);
                        match hex.and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok())
                        {
                            Some(byte) if hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) => {
                                literal.push(byte);
                                index += 2;
                            }
                            _ => {
                                lex.bump(rest.len());
                                return Err(LexError::BadHexEscape(Span::new(escape_start, escape_start + 2)));
                            }
                        }
                    }
                    _ => {
                        let width = std::str::from_utf8(&rest[index + 1..])
                            .ok()
                            .and_then(|s| s.chars().next())
                            .map_or(1, char::len_utf8);
                        let shown = String::from_utf8_lossy(&rest[index..index + 1 + width]).into_owned();
                        lex.bump(rest.len());
                        return Err(LexError::UnknownEscape(
                            Span::new(escape_start, escape_start + 1 + width as u32),
                            shown,
                        ));
                    }
                }
                index += 2;
            }
            b'$' => {
                let name_start = index + 1;
                if rest.get(name_start) == Some(&b'{') {
                    let inner = name_start + 1;
                    let mut end = inner;
                    while end < rest.len() && (rest[end].is_ascii_alphanumeric() || rest[end] == b'_') {
                        end += 1;
                    }
                    let valid_name = end > inner && !rest[inner].is_ascii_digit();
                    if !valid_name || rest.get(end) != Some(&b'}') {
                        lex.bump(rest.len());
                        return Err(LexError::BadInterpolation(Span::new(at(index), at(name_start + 1))));
                    }
                    if !literal.is_empty() {
                        parts.push(StrPart::Literal(std::mem::take(&mut literal)));
                    }
                    let name = String::from_utf8_lossy(&rest[inner..end]).into_owned();
                    parts.push(StrPart::Var(crate::syntax::ast::Var { name, span: Span::new(at(index), at(end + 1)) }));
                    index = end + 1;
                } else if rest.get(name_start).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
                    let mut end = name_start;
                    while end < rest.len() && (rest[end].is_ascii_alphanumeric() || rest[end] == b'_') {
                        end += 1;
                    }
                    if !literal.is_empty() {
                        parts.push(StrPart::Literal(std::mem::take(&mut literal)));
                    }
                    let name = String::from_utf8_lossy(&rest[name_start..end]).into_owned();
                    parts.push(StrPart::Var(crate::syntax::ast::Var { name, span: Span::new(at(index), at(end)) }));
                    index = end;
                } else {
                    literal.push(b'$');
                    index += 1;
                }
            }
            byte => {
                literal.push(byte);
                index += 1;
            }
        }
    }
    lex.bump(rest.len());
    Err(LexError::UnterminatedString(Span::new(start as u32, start as u32 + 1)))
}

/// Scans `''...''` or `'DELIM'...'DELIM'` after the first quote.
fn raw_string<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<StrToken, LexError> {
    let start = lex.span().start as u32;
    let rest = lex.remainder();
    let delimiter_len = rest.bytes().take_while(|b| matches!(b, 0x21..=0x26 | 0x28..=0x7e)).count();
    let delimiter = &rest[..delimiter_len];
    if rest.as_bytes().get(delimiter_len) != Some(&b'\'') {
        let shown: String = rest.chars().take_while(|c| *c != '\n').take(20).collect();
        lex.bump(delimiter_len);
        return Err(LexError::UnterminatedRawString(Span::new(start, start + 1 + delimiter_len as u32), shown));
    }
    let body_start = delimiter_len + 1;
    let closing = format!("'{delimiter}'");
    match rest[body_start..].find(&closing) {
        Some(end) => {
            let body = rest.as_bytes()[body_start..body_start + end].to_vec();
            lex.bump(body_start + end + closing.len());
            Ok(StrToken::Plain(body))
        }
        None => {
            lex.bump(rest.len());
            Err(LexError::UnterminatedRawString(Span::new(start, start + body_start as u32 + 1), delimiter.to_string()))
        }
    }
}

/// Scans `#/pattern/flags` after `#/`.
fn regex_literal<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<RegexToken, LexError> {
    let start = lex.span().start as u32;
    let rest = lex.remainder().as_bytes();
    let mut pattern = Vec::new();
    let mut index = 0;
    while index < rest.len() {
        match rest[index] {
            b'\\' if rest.get(index + 1) == Some(&b'/') => {
                pattern.push(b'/');
                index += 2;
            }
            b'\\' if index + 1 < rest.len() => {
                pattern.extend_from_slice(&rest[index..index + 2]);
                index += 2;
            }
            b'/' => {
                let mut flags = String::new();
                let mut end = index + 1;
                while end < rest.len() && rest[end].is_ascii_alphabetic() {
                    let flag = rest[end] as char;
                    if !"imusxUX".contains(flag) {
                        lex.bump(end + 1);
                        let at = start + 2 + end as u32;
                        return Err(LexError::BadRegexFlag(Span::new(at, at + 1), flag));
                    }
                    flags.push(flag);
                    end += 1;
                }
                lex.bump(end);
                return Ok(RegexToken { pattern, flags });
            }
            b'\n' => break,
            byte => {
                pattern.push(byte);
                index += 1;
            }
        }
    }
    lex.bump(index);
    Err(LexError::UnterminatedRegex(Span::new(start, start + 2)))
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Token::Comment => "a comment",
            Token::Variable(name) => return write!(f, "the variable `${name}`"),
            Token::Ident(name) => return write!(f, "the name `{name}`"),
            Token::Number(_) => "a number",
            Token::Str(_) => "a string",
            Token::Regex(_) => "a regex literal",
            Token::Never => "an invalid token",
            other => return write!(f, "`{}`", symbol(other)),
        };
        f.write_str(text)
    }
}

/// The source text of a fixed token.
pub fn symbol(token: &Token<'_>) -> &'static str {
    use Token::*;
    match token {
        And => "and",
        Array => "array",
        As => "as",
        Barrier => "barrier",
        Break => "break",
        Builtin => "builtin",
        Cache => "cache",
        Case => "case",
        Catch => "catch",
        Class => "class",
        Closure => "closure",
        Constructor => "constructor",
        Continue => "continue",
        Default => "default",
        Echo => "echo",
        Else => "else",
        False => "false",
        For => "for",
        Foreach => "foreach",
        Forever => "forever",
        From => "from",
        Function => "function",
        Global => "global",
        If => "if",
        Import => "import",
        Include => "include",
        IncludeOnce => "include_once",
        Isset => "isset",
        Match => "match",
        None => "none",
        Not => "not",
        Object => "object",
        Or => "or",
        Private => "private",
        Readonly => "readonly",
        Return => "return",
        Static => "static",
        Switch => "switch",
        Throw => "throw",
        True => "true",
        Try => "try",
        Unset => "unset",
        While => "while",
        With => "with",
        Yield => "yield",
        StrictEq => "===",
        StrictNotEq => "!==",
        PowAssign => "**=",
        CoalesceAssign => "??=",
        UShr => ">>>",
        Ellipsis => "...",
        Eq => "==",
        NotEq => "!=",
        Le => "<=",
        Ge => ">=",
        RegexMatch => "=~",
        RegexNotMatch => "!~",
        Arrow => "->",
        DoubleColon => "::",
        FatArrow => "=>",
        Increment => "++",
        Decrement => "--",
        Pow => "**",
        Coalesce => "??",
        AddAssign => "+=",
        SubAssign => "-=",
        MulAssign => "*=",
        DivAssign => "/=",
        ModAssign => "%=",
        ConcatAssign => ".=",
        Shl => "<<",
        Shr => ">>",
        Plus => "+",
        Minus => "-",
        Star => "*",
        Slash => "/",
        Percent => "%",
        Dot => ".",
        Assign => "=",
        Lt => "<",
        Gt => ">",
        Bang => "!",
        Tilde => "~",
        Amp => "&",
        Pipe => "|",
        Caret => "^",
        Question => "?",
        Colon => ":",
        Semicolon => ";",
        Comma => ",",
        LParen => "(",
        RParen => ")",
        LBracket => "[",
        RBracket => "]",
        LBrace => "{",
        RBrace => "}",
        Comment | Variable(_) | Ident(_) | Number(_) | Str(_) | Regex(_) | Never => "",
    }
}
