//! The token stream LALRPOP reads: logos tokens with comments dropped, positions shifted to program-wide
//! offsets, and brackets checked (balanced, and nested no deeper than [`MAX_NESTING`]).

use std::cell::RefCell;
use std::rc::Rc;

use logos::Logos;

use super::MAX_NESTING;
use super::ast::StrPart;
use super::token::{LexError, StrToken, Token};
use crate::span::Span;

/// A token with its program-wide start and end, or a lexing error (spans program-wide too).
pub type Spanned<'src> = Result<(u32, Token<'src>, u32), LexError>;

/// What the parser's error reporting needs to know about the tokens seen so far (file-local spans).
#[derive(Debug, Default)]
pub struct Trail {
    /// Spans of the last two tokens handed to the parser (`last[1]` is the newest).
    pub last: [Option<Span>; 2],
    /// Open brackets: the character and its span.
    pub open: Vec<(char, Span)>,
}

/// The lexer LALRPOP drives.
pub struct Lexer<'src> {
    inner: logos::Lexer<'src, Token<'src>>,
    base: u32,
    trail: Rc<RefCell<Trail>>,
    failed: bool,
    /// The second `:` of a split `::` (see [`Lexer::next`]).
    pending: Option<Span>,
    /// Whether the previous token can start a scope (`Name::` or `static::`).
    after_scope_name: bool,
}

impl<'src> Lexer<'src> {
    /// Lexes `text`; every position is shifted by `base`.
    pub fn new(text: &'src str, base: u32, trail: Rc<RefCell<Trail>>) -> Self {
        Lexer { inner: Token::lexer(text), base, trail, failed: false, pending: None, after_scope_name: false }
    }

    fn shift_parts(&self, token: Token<'src>) -> Token<'src> {
        match token {
            Token::Str(StrToken::Parts(parts)) if self.base != 0 => Token::Str(StrToken::Parts(
                parts
                    .into_iter()
                    .map(|part| match part {
                        StrPart::Var(mut var) => {
                            var.span = Span::new(var.span.start + self.base, var.span.end + self.base);
                            StrPart::Var(var)
                        }
                        literal => literal,
                    })
                    .collect(),
            )),
            other => other,
        }
    }

    fn track(&mut self, token: &Token<'_>, span: Span) -> Result<(), LexError> {
        let mut trail = self.trail.borrow_mut();
        trail.last = [trail.last[1], Some(span)];
        let opener = match token {
            Token::LParen => Some('('),
            Token::LBracket => Some('['),
            Token::LBrace => Some('{'),
            _ => None,
        };
        if let Some(opener) = opener {
            // Checked here, before the parser's own (heap) stacks grow, so 100 000 `(` cost nothing.
            if trail.open.len() >= MAX_NESTING as usize {
                return Err(LexError::NestingTooDeep(span));
            }
            trail.open.push((opener, span));
            return Ok(());
        }
        let expected = match token {
            Token::RParen => '(',
            Token::RBracket => '[',
            Token::RBrace => '{',
            _ => return Ok(()),
        };
        match trail.open.last() {
            Some(&(open, _)) if open == expected => {
                trail.open.pop();
                Ok(())
            }
            Some(&(open_char, open)) => Err(LexError::MismatchedBracket { close: span, open, open_char }),
            None => Err(LexError::UnopenedBracket(span)),
        }
    }

    fn fail(&mut self, error: LexError) -> Option<Spanned<'src>> {
        self.failed = true;
        Some(Err(error.shifted(self.base)))
    }
}

impl<'src> Iterator for Lexer<'src> {
    type Item = Spanned<'src>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if let Some(span) = self.pending.take() {
            let mut trail = self.trail.borrow_mut();
            trail.last = [trail.last[1], Some(span)];
            return Some(Ok((span.start + self.base, Token::Colon, span.end + self.base)));
        }
        loop {
            let result = self.inner.next()?;
            let range = self.inner.span();
            let span = Span::new(range.start as u32, range.end as u32);
            let token = match result {
                Ok(Token::Comment) => continue,
                Ok(token) => token,
                Err(LexError::InvalidCharacter) => {
                    let c = self.inner.slice().chars().next().unwrap_or('?');
                    let width = c.len_utf8() as u32;
                    return self.fail(LexError::BadCharacter(Span::new(span.start, span.start + width), c));
                }
                Err(error) => return self.fail(error),
            };
            if let Err(error) = self.track(&token, span) {
                return self.fail(error);
            }
            // `::` is one token for `Class::member`, but after anything that cannot name a scope it can only
            // be two colons of a slice (`$a[::-1]`, `$s[1::2]`), so it is handed over as `:` `:`.
            if token == Token::DoubleColon && !self.after_scope_name {
                let first = Span::new(span.start, span.start + 1);
                self.pending = Some(Span::new(span.start + 1, span.end));
                self.trail.borrow_mut().last[1] = Some(first);
                self.after_scope_name = false;
                return Some(Ok((first.start + self.base, Token::Colon, first.end + self.base)));
            }
            self.after_scope_name = matches!(token, Token::Ident(_) | Token::Static);
            let token = self.shift_parts(token);
            return Some(Ok((span.start + self.base, token, span.end + self.base)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let trail = Rc::new(RefCell::new(Trail::default()));
        Lexer::new(text, 0, trail)
            .map(|item| match item {
                Ok((l, token, r)) => format!("{token}@{l}..{r}"),
                Err(error) => format!("error {error:?}"),
            })
            .collect()
    }

    #[test]
    fn double_colon_splits_outside_scopes() {
        assert_eq!(tokens("[::"), ["`[`@0..1", "`:`@1..2", "`:`@2..3"]);
        assert_eq!(tokens("$a[1::2]")[3..5], ["`:`@4..5", "`:`@5..6"]);
        assert_eq!(tokens("Foo::bar")[1], "`::`@3..5");
        assert_eq!(tokens("static::$v")[1], "`::`@6..8");
    }

    #[test]
    fn comments_are_skipped_and_brackets_checked() {
        assert_eq!(tokens("/* x */ 1 // y\n"), ["a number@8..9"]);
        assert!(tokens("(]")[1].starts_with("error MismatchedBracket"));
        assert!(tokens(")")[0].starts_with("error UnopenedBracket"));
        let deep = "(".repeat(MAX_NESTING as usize + 1);
        assert!(tokens(&deep).last().is_some_and(|t| t.starts_with("error NestingTooDeep")));
    }

    #[test]
    fn positions_are_shifted_by_base() {
        let trail = Rc::new(RefCell::new(Trail::default()));
        let all: Vec<_> = Lexer::new("$x \"a$y\" )", 100, trail).collect();
        match &all[1] {
            Ok((103, Token::Str(StrToken::Parts(parts)), 108)) => {
                assert!(matches!(&parts[1], StrPart::Var(v) if v.span == Span::new(105, 107)));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(all[2], Err(LexError::UnopenedBracket(Span::new(109, 110))));
    }
}
