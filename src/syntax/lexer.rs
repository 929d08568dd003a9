//! The token stream LALRPOP reads: logos tokens with comments dropped, positions shifted to program-wide
//! offsets, and brackets checked (balanced, and nested no deeper than the limit).

use std::cell::RefCell;
use std::rc::Rc;

use logos::Logos;

use super::MAX_NESTING;
use super::ast::StrPart;
use super::token::{LexError, StrToken, Token};
use crate::span::Span;

/// What the parser's error reporting needs to know about the tokens seen so far.
#[derive(Debug, Default)]
pub struct Trail {
    /// Spans (file-local) of the last two tokens.
    pub last: [Option<Span>; 2],
    /// Open brackets: the character and its file-local span.
    pub open: Vec<(char, Span)>,
}

/// The lexer LALRPOP drives.
pub struct Lexer<'src> {
    inner: logos::Lexer<'src, Token<'src>>,
    base: u32,
    trail: Rc<RefCell<Trail>>,
    failed: bool,
}

impl<'src> Lexer<'src> {
    /// Lexes `text`; every position is shifted by `base`.
    pub fn new(text: &'src str, base: u32, trail: Rc<RefCell<Trail>>) -> Self {
        Lexer { inner: Token::lexer(text), base, trail, failed: false }
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

    fn track_brackets(&mut self, token: &Token<'_>, span: Span) -> Result<(), LexError> {
        let mut trail = self.trail.borrow_mut();
        trail.last = [trail.last[1], Some(span)];
        let opener = match token {
            Token::LParen => Some('('),
            Token::LBracket => Some('['),
            Token::LBrace => Some('{'),
            _ => None,
        };
        if let Some(opener) = opener {
            trail.open.push((opener, span));
            if trail.open.len() > MAX_NESTING as usize {
                return Err(LexError::NestingTooDeep(span));
            }
            return Ok(());
        }
        let expected = match token {
            Token::RParen => '(',
            Token::RBracket => '[',
            Token::RBrace => '{',
            _ => return Ok(()),
        };
        match trail.open.pop() {
            Some((open, _)) if open == expected => Ok(()),
            Some((open, open_span)) => Err(LexError::Syntax {
                span,
                code: "hsl::syntax::mismatched_bracket",
                message: format!(
                    "this closing bracket does not match the `{open}` opened at offset {}",
                    open_span.start
                ),
                help: Some(format!("close the `{open}` first")),
            }),
            None => Err(LexError::Syntax {
                span,
                code: "hsl::syntax::unbalanced_bracket",
                message: "this closing bracket has no opening bracket".into(),
                help: None,
            }),
        }
    }
}

impl<'src> Iterator for Lexer<'src> {
    type Item = Result<(u32, Token<'src>, u32), LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            let result = self.inner.next()?;
            let range = self.inner.span();
            let span = Span::new(range.start as u32, range.end as u32);
            let token = match result {
                Ok(Token::Comment) => continue,
                Ok(token) => token,
                Err(LexError::InvalidCharacter) => {
                    self.failed = true;
                    let width = self.inner.slice().chars().next().map_or(1, char::len_utf8) as u32;
                    return Some(Err(LexError::Syntax {
                        span: Span::new(span.start, span.start + width),
                        code: "hsl::syntax::invalid_character",
                        message: format!("unexpected character {:?}", self.inner.slice().chars().next().unwrap_or('?')),
                        help: None,
                    }));
                }
                Err(error) => {
                    self.failed = true;
                    return Some(Err(error));
                }
            };
            if let Err(error) = self.track_brackets(&token, span) {
                self.failed = true;
                return Some(Err(error));
            }
            let token = self.shift_parts(token);
            return Some(Ok((span.start + self.base, token, span.end + self.base)));
        }
    }
}
