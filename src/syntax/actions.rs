//! Everything the grammar's actions do: build nodes, validate assignment targets, and count depth so no
//! tree deeper than [`MAX_NESTING`](super::MAX_NESTING) is ever built (the resolver, the printer, the
//! evaluator and `Drop` all recurse).

use lalrpop_util::ParseError;

use super::MAX_NESTING;
use super::ast::*;
use super::token::{LexError, RegexToken, StrToken, Token};
use crate::span::Span;

/// A node with the depth of the tree below it.
pub struct Deep<T> {
    /// The node.
    pub node: T,
    /// 1 + the deepest child.
    pub depth: u32,
}

/// An expression with its depth.
pub type D = Deep<Expr>;
/// A statement with its depth.
pub type S = Deep<Stmt>;

type Fail<'s> = ParseError<u32, Token<'s>, LexError>;
type R<'s, T> = Result<T, Fail<'s>>;

/// `l..r`.
pub fn span(l: u32, r: u32) -> Span {
    Span::new(l, r)
}

fn too_deep<'s>(span: Span) -> Fail<'s> {
    ParseError::User { error: LexError::TreeTooDeep(span) }
}

fn syntax<'s>(span: Span, code: &'static str, message: impl Into<String>, help: Option<&str>) -> Fail<'s> {
    ParseError::User { error: LexError::Syntax { span, code, message: message.into(), help: help.map(str::to_string) } }
}

fn deep<'s, T>(node: T, depth: u32, span: Span) -> R<'s, Deep<T>> {
    if depth > MAX_NESTING {
        return Err(too_deep(span));
    }
    Ok(Deep { node, depth })
}

fn expr<'s>(kind: ExprKind, depth: u32, l: u32, r: u32) -> R<'s, D> {
    deep(Expr { kind, span: span(l, r) }, depth, span(l, r))
}

fn leaf(kind: ExprKind, l: u32, r: u32) -> D {
    Deep { node: Expr { kind, span: span(l, r) }, depth: 1 }
}

fn stmt<'s>(kind: StmtKind, depth: u32, l: u32, r: u32) -> R<'s, S> {
    deep(Stmt { kind, span: span(l, r) }, depth, span(l, r))
}

fn max_depth<T>(items: &[Deep<T>]) -> u32 {
    items.iter().map(|item| item.depth).max().unwrap_or(0)
}

fn nodes<T>(items: Vec<Deep<T>>) -> Vec<T> {
    items.into_iter().map(|item| item.node).collect()
}

fn boxed(d: D) -> Box<Expr> {
    Box::new(d.node)
}

// ---------------------------------------------------------------- leaves

pub fn script(body: Vec<S>, l: u32, r: u32) -> Script {
    Script { body: nodes(body), span: span(l, r) }
}

pub fn var(name: &str, l: u32, r: u32) -> Var {
    Var { name: name.to_string(), span: span(l, r) }
}

pub fn ident(name: &str, l: u32, r: u32) -> Ident {
    Ident { name: name.to_string(), span: span(l, r) }
}

pub fn number(value: f64, l: u32, r: u32) -> D {
    leaf(ExprKind::Number(value), l, r)
}

pub fn string(token: StrToken, l: u32, r: u32) -> D {
    match token {
        StrToken::Plain(bytes) => leaf(ExprKind::String(bytes), l, r),
        StrToken::Parts(parts) => leaf(ExprKind::Interpolated(parts), l, r),
    }
}

pub fn str_lit<'s>(token: StrToken, l: u32, r: u32) -> R<'s, StrLit> {
    match token {
        StrToken::Plain(value) => Ok(StrLit { value, span: span(l, r) }),
        StrToken::Parts(_) => Err(syntax(
            span(l, r),
            "hsl::syntax::interpolated_path",
            "a path must be a plain string literal",
            Some("interpolation is not allowed here; write the path literally"),
        )),
    }
}

pub fn regex(token: RegexToken, l: u32, r: u32) -> D {
    leaf(ExprKind::Regex { pattern: token.pattern, flags: token.flags }, l, r)
}

pub fn boolean(value: bool, l: u32, r: u32) -> D {
    leaf(ExprKind::Bool(value), l, r)
}

pub fn none(l: u32, r: u32) -> D {
    leaf(ExprKind::None, l, r)
}

pub fn variable(v: Var) -> D {
    let span = v.span;
    Deep { node: Expr { kind: ExprKind::Variable(v), span }, depth: 1 }
}

pub fn name(n: Ident) -> D {
    let span = n.span;
    Deep { node: Expr { kind: ExprKind::Name(n), span }, depth: 1 }
}

pub fn builtin(n: Ident, l: u32, r: u32) -> D {
    leaf(ExprKind::Builtin(n), l, r)
}

pub fn scope_function(scope: ScopeName, member: Ident, l: u32, r: u32) -> D {
    leaf(ExprKind::Scope { scope, member: ScopeMember::Function(member) }, l, r)
}

pub fn scope_variable(scope: ScopeName, member: Var, l: u32, r: u32) -> D {
    leaf(ExprKind::Scope { scope, member: ScopeMember::Variable(member) }, l, r)
}

/// Parentheses only group: the span grows to include them, the depth does not.
pub fn paren(mut e: D, l: u32, r: u32) -> D {
    e.node.span = span(l, r);
    e
}

// ---------------------------------------------------------------- operators

pub fn binary<'s>(x: D, op: BinaryOp, y: D, l: u32, r: u32) -> R<'s, D> {
    let depth = x.depth.max(y.depth) + 1;
    expr(ExprKind::Binary { op, left: boxed(x), right: boxed(y) }, depth, l, r)
}

pub fn unary<'s>(op: UnaryOp, e: D, l: u32, r: u32) -> R<'s, D> {
    let depth = e.depth + 1;
    expr(ExprKind::Unary { op, operand: boxed(e) }, depth, l, r)
}

pub fn ternary<'s>(c: D, t: Option<D>, e: D, l: u32, r: u32) -> R<'s, D> {
    let depth = c.depth.max(e.depth).max(t.as_ref().map_or(0, |t| t.depth)) + 1;
    expr(ExprKind::Ternary { cond: boxed(c), then: t.map(boxed), otherwise: boxed(e) }, depth, l, r)
}

/// How an l-value is used; slices and `[]` are only valid for some uses (language.md §5.14, §5.18).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Plain `=`: everything, including `$a[]` and slices.
    Assign,
    /// `+=`, `??=`, `++`, `--`: no append, no slice.
    Update,
    /// `isset(...)`: no append, no slice.
    Isset,
    /// `unset(...)`: slices but no append.
    Unset,
}

/// Whether an expression is a valid target for `how`: a variable, element path, append, slice, property or
/// static variable.
fn check_target<'s>(target: &Expr, how: Use) -> R<'s, ()> {
    let (what, help) = match how {
        Use::Assign | Use::Update => (
            "cannot assign to this expression",
            "assign to a variable, an element (`$a[k]`), a property (`$o->p`) or `Class::$v`",
        ),
        Use::Isset => ("`isset` takes a variable, an element or a property", "write `isset($a[\"k\"])`"),
        Use::Unset => ("`unset` takes a variable, an element, a slice or a property", "write `unset($a[\"k\"])`"),
    };
    let invalid = |span| Err(syntax(span, "hsl::syntax::invalid_assignment_target", what, Some(help)));
    match &target.kind {
        ExprKind::Variable(_) | ExprKind::Scope { member: ScopeMember::Variable(_), .. } => Ok(()),
        ExprKind::Index { target: base, index } => {
            if index.is_none() && how != Use::Assign {
                return Err(syntax(
                    target.span,
                    "hsl::syntax::invalid_assignment_target",
                    "`[]` appends, so it can only be the target of `=`",
                    Some("write `$a[] = value`"),
                ));
            }
            check_path(base, what, help)
        }
        ExprKind::Slice { target: base, .. } => match how {
            Use::Assign | Use::Unset => check_path(base, what, help),
            Use::Update | Use::Isset => Err(syntax(
                target.span,
                "hsl::syntax::invalid_assignment_target",
                "a slice can only be assigned with `=` or removed with `unset`",
                None,
            )),
        },
        // Objects are references, so `f()->p = 1` writes somewhere observable.
        ExprKind::Property { .. } => Ok(()),
        _ => invalid(target.span),
    }
}

/// The part left of `[k]` in a target: itself a variable, property, static variable or element.
fn check_path<'s>(base: &Expr, what: &str, help: &str) -> R<'s, ()> {
    match &base.kind {
        ExprKind::Variable(_)
        | ExprKind::Property { .. }
        | ExprKind::Scope { member: ScopeMember::Variable(_), .. } => Ok(()),
        ExprKind::Index { target, index: Some(_) } => check_path(target, what, help),
        _ => Err(syntax(base.span, "hsl::syntax::invalid_assignment_target", what, Some(help))),
    }
}

pub fn assign<'s>(t: D, op: Option<BinaryOp>, v: D, l: u32, r: u32) -> R<'s, D> {
    let depth = t.depth.max(v.depth) + 1;
    if let ExprKind::Array(items) = &t.node.kind {
        if op.is_some() {
            return Err(syntax(
                t.node.span,
                "hsl::syntax::invalid_assignment_target",
                "destructuring only works with `=`",
                None,
            ));
        }
        let pattern = destructure_pattern(items, t.node.span)?;
        return expr(ExprKind::Destructure { pattern, value: boxed(v) }, depth, l, r);
    }
    check_target(&t.node, if op.is_none() { Use::Assign } else { Use::Update })?;
    expr(ExprKind::Assign { op, target: boxed(t), value: boxed(v) }, depth, l, r)
}

/// `[$a, $b = 1, ...$c]` or `["k" => $v, "j" => $w = 2]` read back from an array literal.
fn destructure_pattern<'s>(items: &[ArrayItem], span: Span) -> R<'s, Vec<PatternItem>> {
    let mut pattern = Vec::new();
    let mut keyed = None;
    for (index, item) in items.iter().enumerate() {
        let (key, target, rest) = match item {
            ArrayItem::Value(e) => (None, e, false),
            ArrayItem::Keyed(k, e) => (Some(k.clone()), e, false),
            ArrayItem::Spread(e) => {
                if index + 1 != items.len() {
                    return Err(syntax(e.span, "hsl::syntax::invalid_pattern", "`...$rest` must come last", None));
                }
                (None, e, true)
            }
        };
        if !rest {
            let is_keyed = key.is_some();
            if keyed.is_some_and(|k| k != is_keyed) {
                return Err(syntax(
                    target.span,
                    "hsl::syntax::mixed_pattern",
                    "keyed and positional elements cannot be mixed in one pattern",
                    None,
                ));
            }
            keyed = Some(is_keyed);
        }
        let (var, default) = match &target.kind {
            ExprKind::Variable(v) => (v.clone(), None),
            ExprKind::Assign { op: None, target: inner, value } if !rest => match &inner.kind {
                ExprKind::Variable(v) => (v.clone(), Some((**value).clone())),
                _ => return Err(pattern_error(inner.span)),
            },
            _ => return Err(pattern_error(target.span)),
        };
        pattern.push(PatternItem { key, var, default, rest });
    }
    if pattern.is_empty() {
        return Err(syntax(span, "hsl::syntax::invalid_pattern", "an empty pattern assigns nothing", None));
    }
    Ok(pattern)
}

fn pattern_error<'s>(span: Span) -> Fail<'s> {
    syntax(
        span,
        "hsl::syntax::invalid_pattern",
        "a destructuring pattern holds variables",
        Some("write `[$a, $b = default, ...$rest] = value`"),
    )
}

pub fn inc_dec<'s>(e: D, increment: bool, prefix: bool, l: u32, r: u32) -> R<'s, D> {
    check_target(&e.node, Use::Update)?;
    let depth = e.depth + 1;
    expr(ExprKind::IncDec { target: boxed(e), increment, prefix }, depth, l, r)
}

pub fn call<'s>(f: D, args: Vec<(Arg, u32)>, l: u32, r: u32) -> R<'s, D> {
    let depth = f.depth.max(args.iter().map(|a| a.1).max().unwrap_or(0)) + 1;
    let args = args.into_iter().map(|a| a.0).collect();
    expr(ExprKind::Call { callee: boxed(f), args }, depth, l, r)
}

pub fn arg(e: D, spread: bool) -> (Arg, u32) {
    (Arg { expr: e.node, spread }, e.depth)
}

pub fn index<'s>(t: D, i: Option<D>, l: u32, r: u32) -> R<'s, D> {
    let depth = t.depth.max(i.as_ref().map_or(0, |i| i.depth)) + 1;
    expr(ExprKind::Index { target: boxed(t), index: i.map(boxed) }, depth, l, r)
}

pub fn slice<'s>(t: D, s: Option<D>, e: Option<D>, st: Option<D>, l: u32, r: u32) -> R<'s, D> {
    let depth =
        [Some(&t), s.as_ref(), e.as_ref(), st.as_ref()].iter().flatten().map(|d| d.depth).max().unwrap_or(0) + 1;
    expr(
        ExprKind::Slice { target: boxed(t), start: s.map(boxed), stop: e.map(boxed), step: st.map(boxed) },
        depth,
        l,
        r,
    )
}

pub fn property<'s>(t: D, name: Ident, l: u32, r: u32) -> R<'s, D> {
    let depth = t.depth + 1;
    expr(ExprKind::Property { target: boxed(t), name }, depth, l, r)
}

pub fn array<'s>(items: Vec<(ArrayItem, u32)>, l: u32, r: u32) -> R<'s, D> {
    let depth = items.iter().map(|i| i.1).max().unwrap_or(0) + 1;
    expr(ExprKind::Array(items.into_iter().map(|i| i.0).collect()), depth, l, r)
}

pub fn item_value(e: D) -> (ArrayItem, u32) {
    (ArrayItem::Value(e.node), e.depth)
}

pub fn item_keyed(k: D, v: D) -> (ArrayItem, u32) {
    let depth = k.depth.max(v.depth);
    (ArrayItem::Keyed(k.node, v.node), depth)
}

pub fn item_spread(e: D) -> (ArrayItem, u32) {
    (ArrayItem::Spread(e.node), e.depth)
}

pub fn function_literal<'s>(
    params: Vec<(Param, u32)>,
    captures: Option<Vec<Var>>,
    body: Vec<S>,
    l: u32,
    r: u32,
) -> R<'s, D> {
    let depth = params.iter().map(|p| p.1).max().unwrap_or(0).max(max_depth(&body)) + 1;
    let params = params.into_iter().map(|p| p.0).collect();
    let literal = FunctionLiteral { params, captures: captures.unwrap_or_default(), body: nodes(body) };
    expr(ExprKind::Function(Box::new(literal)), depth, l, r)
}

pub fn param(v: Var, default: Option<D>, variadic: bool) -> (Param, u32) {
    let depth = default.as_ref().map_or(1, |d| d.depth);
    (Param { var: v, default: default.map(|d| d.node), variadic }, depth)
}

pub fn match_expr<'s>(subject: D, arms: Vec<(MatchArm, u32)>, l: u32, r: u32) -> R<'s, D> {
    let depth = subject.depth.max(arms.iter().map(|a| a.1).max().unwrap_or(0)) + 1;
    expr(ExprKind::Match { subject: boxed(subject), arms: arms.into_iter().map(|a| a.0).collect() }, depth, l, r)
}

pub fn arm(patterns: Option<Vec<D>>, value: D, l: u32, r: u32) -> (MatchArm, u32) {
    let depth = patterns.as_ref().map_or(0, |p| max_depth(p)).max(value.depth);
    (MatchArm { patterns: patterns.map(nodes), value: value.node, span: span(l, r) }, depth)
}

pub fn cache<'s>(items: Vec<(ArrayItem, u32)>, ol: u32, or: u32, call: D, l: u32, r: u32) -> R<'s, D> {
    let options = array(items, ol, or)?;
    let depth = options.depth.max(call.depth) + 1;
    expr(ExprKind::Cache { options: boxed(options), call: boxed(call) }, depth, l, r)
}

pub fn isset<'s>(e: D, l: u32, r: u32) -> R<'s, D> {
    check_target(&e.node, Use::Isset)?;
    let depth = e.depth + 1;
    expr(ExprKind::Isset(boxed(e)), depth, l, r)
}

pub fn unset<'s>(e: D, l: u32, r: u32) -> R<'s, D> {
    check_target(&e.node, Use::Unset)?;
    let depth = e.depth + 1;
    expr(ExprKind::Unset(boxed(e)), depth, l, r)
}

// ---------------------------------------------------------------- statements

pub fn expr_stmt(e: D, l: u32, r: u32) -> S {
    Deep { node: Stmt { kind: StmtKind::Expr(e.node), span: span(l, r) }, depth: e.depth + 1 }
}

pub fn echo(e: D, l: u32, r: u32) -> S {
    Deep { node: Stmt { kind: StmtKind::Echo(e.node), span: span(l, r) }, depth: e.depth + 1 }
}

pub fn block<'s>(body: Vec<S>, l: u32, r: u32) -> R<'s, S> {
    let depth = max_depth(&body) + 1;
    stmt(StmtKind::Block(nodes(body)), depth, l, r)
}

pub fn empty(l: u32, r: u32) -> S {
    Deep { node: Stmt { kind: StmtKind::Empty, span: span(l, r) }, depth: 1 }
}

pub fn if_stmt<'s>(c: D, t: S, e: Option<S>, l: u32, r: u32) -> R<'s, S> {
    let depth = c.depth.max(t.depth).max(e.as_ref().map_or(0, |e| e.depth)) + 1;
    stmt(StmtKind::If { cond: c.node, then: Box::new(t.node), otherwise: e.map(|e| Box::new(e.node)) }, depth, l, r)
}

pub fn while_stmt<'s>(c: D, b: S, l: u32, r: u32) -> R<'s, S> {
    let depth = c.depth.max(b.depth) + 1;
    stmt(StmtKind::While { cond: c.node, body: Box::new(b.node) }, depth, l, r)
}

pub fn for_stmt<'s>(i: Option<D>, c: Option<D>, s: Option<D>, b: S, l: u32, r: u32) -> R<'s, S> {
    let depth = [&i, &c, &s].iter().filter_map(|d| d.as_ref().map(|d| d.depth)).max().unwrap_or(0).max(b.depth) + 1;
    stmt(
        StmtKind::For {
            init: i.map(|d| d.node),
            cond: c.map(|d| d.node),
            step: s.map(|d| d.node),
            body: Box::new(b.node),
        },
        depth,
        l,
        r,
    )
}

pub fn foreach_stmt<'s>(e: D, first: Var, second: Option<Var>, b: S, l: u32, r: u32) -> R<'s, S> {
    let depth = e.depth.max(b.depth) + 1;
    let (key, value) = match second {
        Some(value) => (Some(first), value),
        None => (None, first),
    };
    stmt(StmtKind::Foreach { subject: e.node, key, value, body: Box::new(b.node) }, depth, l, r)
}

pub fn forever_stmt<'s>(b: S, l: u32, r: u32) -> R<'s, S> {
    let depth = b.depth + 1;
    stmt(StmtKind::Forever(Box::new(b.node)), depth, l, r)
}

pub fn switch<'s>(e: D, cases: Vec<(SwitchCase, u32)>, l: u32, r: u32) -> R<'s, S> {
    let depth = e.depth.max(cases.iter().map(|c| c.1).max().unwrap_or(0)) + 1;
    stmt(StmtKind::Switch { subject: e.node, cases: cases.into_iter().map(|c| c.0).collect() }, depth, l, r)
}

pub fn case(label: Option<D>, body: Vec<S>, l: u32, r: u32) -> (SwitchCase, u32) {
    let depth = label.as_ref().map_or(0, |d| d.depth).max(max_depth(&body)) + 1;
    (SwitchCase { label: label.map(|d| d.node), body: nodes(body), span: span(l, r) }, depth)
}

pub fn break_stmt(l: u32, r: u32) -> S {
    Deep { node: Stmt { kind: StmtKind::Break, span: span(l, r) }, depth: 1 }
}

pub fn continue_stmt(l: u32, r: u32) -> S {
    Deep { node: Stmt { kind: StmtKind::Continue, span: span(l, r) }, depth: 1 }
}

/// `break 2;` — PHP's loop levels do not exist in HSL (Q-CTL-4).
pub fn levels<'s>(keyword: &str, l: u32, r: u32) -> R<'s, S> {
    Err(syntax(
        span(l, r),
        "hsl::syntax::loop_levels",
        format!("`{keyword}` takes no level number"),
        Some("HSL has no multi-level break/continue; restructure the loops or use a flag"),
    ))
}

pub fn return_stmt(e: Option<D>, l: u32, r: u32) -> S {
    let depth = e.as_ref().map_or(0, |e| e.depth) + 1;
    Deep { node: Stmt { kind: StmtKind::Return(e.map(|e| e.node)), span: span(l, r) }, depth }
}

pub fn throw_stmt(e: D, l: u32, r: u32) -> S {
    Deep { node: Stmt { kind: StmtKind::Throw(e.node), span: span(l, r) }, depth: e.depth + 1 }
}

pub fn try_stmt<'s>(body: Vec<S>, v: Var, handler: Vec<S>, l: u32, r: u32) -> R<'s, S> {
    let depth = max_depth(&body).max(max_depth(&handler)) + 1;
    stmt(StmtKind::Try { body: nodes(body), var: v, handler: nodes(handler) }, depth, l, r)
}

pub fn global(vars: Vec<Var>, l: u32, r: u32) -> S {
    Deep { node: Stmt { kind: StmtKind::Global(vars), span: span(l, r) }, depth: 1 }
}

pub fn barrier<'s>(name: D, v: Option<Var>, body: Vec<S>, l: u32, r: u32) -> R<'s, S> {
    let depth = name.depth.max(max_depth(&body)) + 1;
    stmt(StmtKind::Barrier { name: name.node, var: v, body: nodes(body) }, depth, l, r)
}

pub fn include(path: StrLit, once: bool, l: u32, r: u32) -> S {
    Deep { node: Stmt { kind: StmtKind::Include { path, once }, span: span(l, r) }, depth: 1 }
}

pub fn import_names(items: Vec<ImportItem>, path: StrLit, options: Option<D>, l: u32, r: u32) -> S {
    let depth = options.as_ref().map_or(0, |d| d.depth) + 1;
    let import = Import { kind: ImportKind::Names(items), path, options: options.map(|d| d.node) };
    Deep { node: Stmt { kind: StmtKind::Import(import), span: span(l, r) }, depth }
}

pub fn import_wildcard(namespace: Ident, path: StrLit, l: u32, r: u32) -> S {
    let import = Import { kind: ImportKind::Wildcard(namespace), path, options: None };
    Deep { node: Stmt { kind: StmtKind::Import(import), span: span(l, r) }, depth: 1 }
}

pub fn import_data(v: Var, path: StrLit, options: Option<D>, l: u32, r: u32) -> S {
    let depth = options.as_ref().map_or(0, |d| d.depth) + 1;
    let import = Import { kind: ImportKind::Data(v), path, options: options.map(|d| d.node) };
    Deep { node: Stmt { kind: StmtKind::Import(import), span: span(l, r) }, depth }
}

pub fn function_decl<'s>(name: Ident, params: Vec<(Param, u32)>, body: Vec<S>, l: u32, r: u32) -> R<'s, S> {
    let depth = params.iter().map(|p| p.1).max().unwrap_or(0).max(max_depth(&body)) + 1;
    let decl =
        FunctionDecl { name, params: params.into_iter().map(|p| p.0).collect(), body: nodes(body), span: span(l, r) };
    stmt(StmtKind::Function(Box::new(decl)), depth, l, r)
}

pub fn class_decl<'s>(name: Ident, members: Vec<(Member, u32)>, l: u32, r: u32) -> R<'s, S> {
    let depth = members.iter().map(|m| m.1).max().unwrap_or(0) + 1;
    let decl = ClassDecl { name, members: members.into_iter().map(|m| m.0).collect(), span: span(l, r) };
    stmt(StmtKind::Class(Box::new(decl)), depth, l, r)
}

pub fn constructor(params: Vec<(Param, u32)>, body: Vec<S>, l: u32, r: u32) -> (Member, u32) {
    let depth = params.iter().map(|p| p.1).max().unwrap_or(0).max(max_depth(&body)) + 1;
    let kind = MemberKind::Constructor { params: params.into_iter().map(|p| p.0).collect(), body: nodes(body) };
    (Member { kind, span: span(l, r) }, depth)
}

fn modifiers<'s>(list: Vec<(&'static str, u32, u32)>, allow_readonly: bool) -> R<'s, Modifiers> {
    let mut modifiers = Modifiers::default();
    for (word, l, r) in list {
        let flag = match word {
            "private" => &mut modifiers.private,
            "static" => &mut modifiers.is_static,
            _ => {
                if !allow_readonly {
                    return Err(syntax(
                        span(l, r),
                        "hsl::syntax::invalid_modifier",
                        "only variables can be `readonly`",
                        None,
                    ));
                }
                &mut modifiers.readonly
            }
        };
        if std::mem::replace(flag, true) {
            return Err(syntax(span(l, r), "hsl::syntax::invalid_modifier", format!("`{word}` is repeated"), None));
        }
    }
    Ok(modifiers)
}

pub fn method<'s>(
    list: Vec<(&'static str, u32, u32)>,
    name: Ident,
    params: Vec<(Param, u32)>,
    body: Vec<S>,
    l: u32,
    r: u32,
) -> R<'s, (Member, u32)> {
    let modifiers = modifiers(list, false)?;
    let depth = params.iter().map(|p| p.1).max().unwrap_or(0).max(max_depth(&body)) + 1;
    let function =
        FunctionDecl { name, params: params.into_iter().map(|p| p.0).collect(), body: nodes(body), span: span(l, r) };
    Ok((Member { kind: MemberKind::Method { modifiers, function }, span: span(l, r) }, depth))
}

pub fn member_variable<'s>(
    list: Vec<(&'static str, u32, u32)>,
    v: Var,
    init: Option<D>,
    l: u32,
    r: u32,
) -> R<'s, (Member, u32)> {
    let modifiers = modifiers(list, true)?;
    let depth = init.as_ref().map_or(0, |d| d.depth) + 1;
    Ok((
        Member { kind: MemberKind::Variable { modifiers, var: v, init: init.map(|d| d.node) }, span: span(l, r) },
        depth,
    ))
}
