//! Assignable places: `$v`, `$a[k][]`, `$o->p[k]`, `C::$v`, slices. A place is resolved once (its keys
//! evaluated once, left to right), then read, written or removed.
//!
//! Objects met inside a path are updated by taking the property value out, working on it unlocked, and
//! putting it back, so a path that reaches the same object twice cannot deadlock.

use super::{Machine, ops};
use crate::error::{ErrorKind, Fallible, Interrupt, Interrupted, LimitKind, RuntimeError};
use crate::ir::{Expr, Member, Place, VarSlot, slot_in};
use crate::span::Span;
use crate::syntax::ast::BinaryOp;
use crate::value::{Array, ClassId, ClassRef, FieldAt, Key, Number, Object, Str, Value};

pub(crate) enum Root {
    Var(VarSlot, Span),
    Static(ClassId, u32),
    /// An object's property, with the compiler's slot for it (see [`Member`]).
    Property(Object, Str, Option<(ClassId, u32)>),
}

pub(crate) enum Step {
    Key(Key),
    Append,
}

/// A place with its keys evaluated.
pub(crate) struct Resolved {
    root: Root,
    steps: Vec<Step>,
    slice: Option<[Option<f64>; 3]>,
    span: Span,
}

impl Resolved {
    /// `object->name` with no further keys.
    fn property(object: Object, member: &Member, span: Span) -> Resolved {
        let root = Root::Property(object, member.name.clone(), member.slot);
        Resolved { root, steps: Vec::new(), slice: None, span }
    }
}

/// What a walk needs to know besides the values: privacy context and limits.
struct WalkCtx<'a> {
    program: &'a crate::ir::Program,
    class: Option<ClassId>,
    max_array: usize,
    span: Span,
}

type WalkFn<'f, R> = dyn FnMut(&mut Value) -> Result<R, Interrupted> + 'f;

fn error(kind: ErrorKind, message: impl Into<String>, span: Span) -> Interrupted {
    RuntimeError::new(kind, message).at(span).into()
}

impl WalkCtx<'_> {
    /// Checks `private`/`readonly` for a property access (`write`: a write or read-modify-write) and says
    /// where the object keeps the property. `slot` is the compiler's resolution (see [`Member`]).
    fn locate<'n>(
        &self,
        object: &Object,
        name: &'n Str,
        slot: Option<(ClassId, u32)>,
        write: bool,
    ) -> Fallible<FieldAt<'n>> {
        let ClassRef::User(class, class_name) = object.class() else {
            return Err(error(
                ErrorKind::Type,
                format!("cannot set properties of a builtin `{}` object", object.class_name()),
                self.span,
            ));
        };
        if let Some(index) = slot_in(slot, *class) {
            return Ok(FieldAt::Declared(index)); // resolved inside the class itself: no restriction
        }
        let Some((index, field)) = self.program.classes[class.0 as usize].field(name.as_bytes()) else {
            return Ok(FieldAt::Added(name));
        };
        if self.class != Some(*class) {
            if field.private {
                return Err(error(ErrorKind::Access, format!("`{class_name}->{name}` is private"), self.span));
            }
            if field.readonly && write {
                return Err(error(
                    ErrorKind::Access,
                    format!("`{class_name}->{name}` is read-only outside its instance"),
                    self.span,
                ));
            }
        }
        Ok(FieldAt::Declared(index))
    }

    /// Runs `f` on property `name` of `object` (created as none when `create`).
    fn with_property<R>(
        &self,
        object: &Object,
        name: &Str,
        slot: Option<(ClassId, u32)>,
        steps: &[Step],
        create: bool,
        f: &mut WalkFn<'_, R>,
    ) -> Fallible<Option<R>> {
        let at = self.locate(object, name, slot, true)?; // every walk modifies the place, so readonly applies
        let Some(fields) = object.fields() else { return Ok(None) };
        let taken = fields.lock().get_mut(at, create).map(std::mem::take);
        let Some(mut value) = taken else { return Ok(None) };
        let result = self.walk(&mut value, steps, create, f);
        if let Some(slot) = fields.lock().get_mut(at, false) {
            *slot = value;
        }
        result
    }

    fn walk<R>(&self, value: &mut Value, steps: &[Step], create: bool, f: &mut WalkFn<'_, R>) -> Fallible<Option<R>> {
        let Some((step, rest)) = steps.split_first() else { return f(value).map(Some) };
        if value.is_none() {
            if !create {
                return Ok(None);
            }
            *value = Value::Array(Array::new());
        }
        match value {
            Value::Array(array) => match step {
                Step::Key(key) => {
                    if !create && !array.contains_key(key.as_ref()) {
                        return Ok(None);
                    }
                    if !array.contains_key(key.as_ref()) && array.len() >= self.max_array {
                        return Err(self.array_limit());
                    }
                    let slot = array.make_mut().entry_mut(key.clone());
                    self.walk(slot, rest, create, f)
                }
                Step::Append => {
                    if !create {
                        return Ok(None);
                    }
                    if array.len() >= self.max_array {
                        return Err(self.array_limit());
                    }
                    let data = array.make_mut();
                    let index = data.push(Value::None);
                    match data.get_mut(crate::value::KeyRef::Int(index)) {
                        Some(slot) => self.walk(slot, rest, create, f),
                        None => Ok(None),
                    }
                }
            },
            Value::Object(object) => match step {
                Step::Key(Key::Str(name)) => {
                    let object = object.clone();
                    self.with_property(&object, &name.to_str(), None, rest, create, f)
                }
                _ => Err(error(ErrorKind::Index, "an object member name must be a string", self.span)),
            },
            Value::String(_) => Err(error(
                ErrorKind::Index,
                "cannot assign an index of a string (strings are immutable; build a new one)",
                self.span,
            )),
            other => Err(error(ErrorKind::Index, format!("cannot index a {}", other.type_name()), self.span)),
        }
    }

    fn array_limit(&self) -> Interrupted {
        error(
            ErrorKind::Limit(LimitKind::ArraySize),
            format!("limit exceeded (array_size): an array may hold at most {} entries", self.max_array),
            self.span,
        )
    }
}

impl Machine<'_> {
    fn walk_ctx(&self, span: Span) -> WalkCtx<'_> {
        WalkCtx { program: self.program, class: self.current_class(), max_array: self.limits.max_array_size, span }
    }

    /// Evaluates a place's object and keys. `quiet`: a property of a non-object resolves to `None`.
    pub(crate) fn resolve_mode(&mut self, place: &Place, quiet: bool) -> Fallible<Option<Resolved>> {
        Ok(Some(match place {
            Place::Var(slot, span) => {
                Resolved { root: Root::Var(*slot, *span), steps: Vec::new(), slice: None, span: *span }
            }
            Place::Static(class, index, span) => {
                Resolved { root: Root::Static(*class, *index), steps: Vec::new(), slice: None, span: *span }
            }
            Place::Property(object, member, span) => return self.resolve_property(object, member, *span, quiet),
            Place::Index(base, key, span) => {
                let Some(mut resolved) = self.resolve_mode(base, quiet)? else { return Ok(None) };
                let step = match key {
                    Some(key) => {
                        let key = self.eval(key)?;
                        Step::Key(ops::to_key(&key).map_err(|e| self.op_error(e, *span))?)
                    }
                    None => Step::Append,
                };
                resolved.steps.push(step);
                resolved.span = *span;
                resolved
            }
            Place::Slice(base, parts, span) => {
                let Some(mut resolved) = self.resolve_mode(base, quiet)? else { return Ok(None) };
                resolved.slice = Some(self.slice_bounds(parts, *span)?);
                resolved.span = *span;
                resolved
            }
        }))
    }

    /// `object->name` as a place root. `quiet`: a non-object resolves to `None` instead of an error.
    fn resolve_property(
        &mut self,
        object: &Expr,
        member: &Member,
        span: Span,
        quiet: bool,
    ) -> Fallible<Option<Resolved>> {
        let value = self.operand(object)?;
        if quiet && !matches!(value, Value::Object(_)) {
            return Ok(None);
        }
        Ok(Some(Resolved::property(self.property_owner(value, &member.name, span)?, member, span)))
    }

    /// The object whose property `name` is written; anything else is a type error.
    fn property_owner(&self, value: Value, name: &Str, span: Span) -> Fallible<Object> {
        match value {
            Value::Object(object) => Ok(object),
            other => Err(self.error(
                ErrorKind::Type,
                format!("cannot set property `{name}` of a {}", other.type_name()),
                span,
            )),
        }
    }

    pub(crate) fn resolve(&mut self, place: &Place) -> Fallible<Resolved> {
        match self.resolve_mode(place, false)? {
            Some(resolved) => Ok(resolved),
            None => Err(self.error(ErrorKind::Internal, "place did not resolve", Span::NONE)),
        }
    }

    /// Runs `f` on the place's value; with `create`, missing variables, keys and properties are created
    /// (as none, with arrays made on the way). `Ok(None)` when the place is missing and not created.
    fn with_place<R>(&mut self, resolved: &Resolved, create: bool, f: &mut WalkFn<'_, R>) -> Fallible<Option<R>> {
        let span = resolved.span;
        match &resolved.root {
            Root::Var(slot, _) => {
                let steps = &resolved.steps;
                let ctx = WalkCtx {
                    program: self.program,
                    class: self.current_class(),
                    max_array: self.limits.max_array_size,
                    span,
                };
                let mut run = |value: &mut Option<Value>| -> Fallible<Option<R>> {
                    if value.is_none() {
                        if !create {
                            return Ok(None);
                        }
                        *value = Some(Value::None);
                    }
                    match value {
                        Some(value) => ctx.walk(value, steps, create, f),
                        None => Ok(None),
                    }
                };
                match *slot {
                    VarSlot::Local(index) => run(&mut self.stack[self.frame.base + index as usize]),
                    VarSlot::Cell(index) => {
                        let cell = self.frame.cells[index as usize].clone();
                        let mut guard = cell.lock();
                        run(&mut guard)
                    }
                    VarSlot::Global(module, index) => run(self.global_mut(module, index)),
                }
            }
            Root::Static(class, index) => {
                let ctx = WalkCtx {
                    program: self.program,
                    class: self.current_class(),
                    max_array: self.limits.max_array_size,
                    span,
                };
                ctx.walk(&mut self.statics[class.0 as usize][*index as usize], &resolved.steps, create, f)
            }
            Root::Property(object, name, slot) => {
                let ctx = self.walk_ctx(span);
                ctx.with_property(object, name, *slot, &resolved.steps, create, f)
            }
        }
    }

    /// The current value of a resolved place, `None` when it does not exist.
    pub(crate) fn read_resolved(&mut self, resolved: &Resolved) -> Fallible<Option<Value>> {
        let mut root = match &resolved.root {
            Root::Var(slot, _) => match self.load_option(*slot) {
                Some(value) => value,
                None => return Ok(None),
            },
            Root::Static(class, index) => self.statics[class.0 as usize][*index as usize].clone(),
            Root::Property(object, name, slot) => {
                let at = self.walk_ctx(resolved.span).locate(object, name, *slot, false)?;
                match object.fields().and_then(|fields| fields.lock().get(at).cloned()) {
                    Some(value) => value,
                    None => return Ok(None),
                }
            }
        };
        for step in &resolved.steps {
            let next = match (&root, step) {
                (Value::Array(array), Step::Key(key)) => array.get(key.as_ref()).cloned(),
                (Value::Object(object), Step::Key(Key::Str(name))) => {
                    let name = name.to_str();
                    let at = self.walk_ctx(resolved.span).locate(object, &name, None, false)?;
                    object.fields().and_then(|fields| fields.lock().get(at).cloned())
                }
                _ => None,
            };
            match next {
                Some(value) => root = value,
                None => return Ok(None),
            }
        }
        Ok(Some(root))
    }

    pub(crate) fn write_resolved(&mut self, resolved: &Resolved, value: Value) -> Fallible<()> {
        if let Some(bounds) = resolved.slice {
            return self.assign_slice(resolved, bounds, value);
        }
        let mut value = Some(value);
        self.with_place(resolved, true, &mut |slot| {
            *slot = value.take().unwrap_or_default();
            Ok(())
        })?;
        Ok(())
    }

    /// `$var->name = value` through [`Machine::own_slot`]: gives back the replaced value (for the caller to
    /// drop outside the lock), or `value` itself when the general path must write it.
    #[inline]
    fn set_own_field(&self, target: &Expr, member: &Member, value: Value) -> Result<Value, Value> {
        let Some((fields, at)) = self.own_slot(target, member) else { return Err(value) };
        match fields.lock().get_mut(at, true) {
            Some(slot) => Ok(std::mem::replace(slot, value)),
            None => Err(value),
        }
    }

    /// Runs `f` on `$var->name` through [`Machine::own_slot`] when it holds a number.
    #[inline]
    fn with_own_number<R>(&self, target: &Expr, member: &Member, f: impl FnOnce(&mut f64) -> Option<R>) -> Option<R> {
        let (fields, at) = self.own_slot(target, member)?;
        match fields.lock().get_mut(at, false) {
            Some(Value::Number(number)) => {
                let mut value = number.get();
                let result = f(&mut value);
                *number = Number::new(value);
                result
            }
            _ => None,
        }
    }

    /// `place = value`.
    pub(crate) fn assign(&mut self, place: &Place, value: Value) -> Fallible<()> {
        match place {
            Place::Var(slot, _) => {
                self.store(*slot, value);
                Ok(())
            }
            Place::Property(target, member, span) => {
                // `$object->name = value`: one lock, no walk.
                let value = match self.set_own_field(target, member, value) {
                    Ok(previous) => {
                        drop(previous); // outside the lock
                        return Ok(());
                    }
                    Err(value) => value,
                };
                let owner = self.operand(target)?;
                let object = self.property_owner(owner, &member.name, *span)?;
                let at = self.walk_ctx(*span).locate(&object, &member.name, member.slot, true)?;
                let Some(fields) = object.fields() else { return Ok(()) };
                let previous = fields.lock().set(at, value);
                drop(previous); // outside the lock
                Ok(())
            }
            _ => {
                let resolved = self.resolve(place)?;
                self.write_resolved(&resolved, value)
            }
        }
    }

    /// `$var[key] op= number` and `$var[key]++` when the element exists and holds a number: updated in
    /// place, with no path resolved (counters in a loop). The key must be a constant or a variable (or an
    /// element reached through them), read by borrowing, so nothing is evaluated twice; anything else, an
    /// unset variable or a key that is not valid, returns `None` and the general path decides (and reports).
    /// Gives (old, new).
    fn update_number_element(&mut self, place: &Place, update: impl FnOnce(f64) -> Option<f64>) -> Option<(f64, f64)> {
        let Place::Index(base, Some(key), _) = place else { return None };
        let Place::Var(slot, _) = **base else { return None };
        let key = ops::to_key(self.operand_ref(key)?).ok()?;
        let Some(Value::Array(array)) = self.peek_mut(slot)? else { return None };
        let Some(Value::Number(number)) = array.make_mut().get_mut(key.as_ref()) else { return None };
        let old = number.get();
        let new = update(old)?;
        *number = Number::new(new);
        Some((old, new))
    }

    /// Runs `f` on a variable's slot (`None` = unset), holding a cell's lock if it is one.
    #[inline]
    fn with_var<R>(&mut self, slot: VarSlot, f: impl FnOnce(&mut Option<Value>) -> R) -> R {
        match slot {
            VarSlot::Local(index) => f(&mut self.stack[self.frame.base + index as usize]),
            VarSlot::Cell(index) => {
                let cell = self.frame.cells[index as usize].clone();
                let mut guard = cell.lock();
                f(&mut guard)
            }
            VarSlot::Global(module, index) => f(self.global_mut(module, index)),
        }
    }

    /// `place op= value`: updates in place (so `.=` appends without copying), or changes nothing on error.
    pub(crate) fn compound_assign(&mut self, op: BinaryOp, place: &Place, rhs: Value, span: Span) -> Fallible<Value> {
        if let Value::Number(b) = rhs
            && let Some((_, result)) = self.update_number_element(place, |a| ops::number_arithmetic(op, a, b.get()))
        {
            return Ok(Value::number(result));
        }
        if let Place::Var(slot, var_span) = place {
            let limit = self.limits.max_string_size;
            let result = self.with_var(*slot, |current| {
                let Some(value) = current else { return Err(None) };
                if let (Value::Number(a), Value::Number(b)) = (&*value, &rhs)
                    && let Some(number) = ops::number_arithmetic(op, a.get(), b.get())
                {
                    *value = Value::number(number);
                    return Ok(Value::number(number));
                }
                if op == BinaryOp::Concat
                    && let Value::String(text) = value
                    && !rhs.is_none()
                {
                    let before = text.len();
                    rhs.write_display(text);
                    if text.len() > limit {
                        text.truncate(before);
                        return Err(Some(RuntimeError::new(
                            ErrorKind::Limit(LimitKind::StringSize),
                            format!("limit exceeded (string_size): a string may hold at most {limit} bytes"),
                        )));
                    }
                    return Ok(value.clone());
                }
                let updated = ops::binary(op, value, &rhs).map_err(Some)?;
                if let Value::String(text) = &updated
                    && text.len() > limit
                {
                    return Err(Some(RuntimeError::new(
                        ErrorKind::Limit(LimitKind::StringSize),
                        format!("limit exceeded (string_size): a string may hold at most {limit} bytes"),
                    )));
                }
                *value = updated.clone();
                Ok(updated)
            });
            return match result {
                Ok(value) => Ok(value),
                Err(None) => Err(self.undefined(*var_span)),
                Err(Some(error)) => Err(self.op_error(error, span)),
            };
        }
        let resolved = match place {
            Place::Property(target, member, place_span) => {
                // `$object->name op= number`: updated in place under one lock when both sides are numbers.
                if let Value::Number(b) = rhs
                    && let Some(result) = self.with_own_number(target, member, |a| {
                        let Some(Value::Number(result)) = ops::number_binary(op, *a, b.get()) else { return None };
                        *a = result.get();
                        Some(result)
                    })
                {
                    return Ok(Value::Number(result));
                }
                let owner = self.operand(target)?;
                let resolved =
                    Resolved::property(self.property_owner(owner, &member.name, *place_span)?, member, *place_span);
                if let (Root::Property(object, name, slot), Value::Number(b)) = (&resolved.root, &rhs)
                    && let Some(fields) = object.fields()
                {
                    let at = self.walk_ctx(span).locate(object, name, *slot, true)?;
                    if let Some(Value::Number(a)) = fields.lock().get_mut(at, false)
                        && let Some(Value::Number(result)) = ops::number_binary(op, a.get(), b.get())
                    {
                        *a = result;
                        return Ok(Value::Number(result));
                    }
                }
                resolved
            }
            _ => self.resolve(place)?,
        };
        let limit = self.limits.max_string_size;
        let update = &mut |slot: &mut Value| -> Fallible<Value> {
            if op == BinaryOp::Concat
                && let Value::String(text) = slot
                && !rhs.is_none()
            {
                let before = text.len();
                rhs.write_display(text);
                if text.len() > limit {
                    text.truncate(before);
                    return Err(error(
                        ErrorKind::Limit(LimitKind::StringSize),
                        format!("limit exceeded (string_size): a string may hold at most {limit} bytes"),
                        span,
                    ));
                }
                return Ok(slot.clone());
            }
            let updated = ops::binary(op, slot, &rhs).map_err(|e| Box::new(Interrupt::Error(e.at(span))))?;
            if let Value::String(text) = &updated
                && text.len() > limit
            {
                return Err(error(
                    ErrorKind::Limit(LimitKind::StringSize),
                    format!("limit exceeded (string_size): a string may hold at most {limit} bytes"),
                    span,
                ));
            }
            *slot = updated.clone();
            Ok(updated)
        };
        let result = self.with_place(&resolved, false, update).map_err(|e| self.locate(e, span))?;
        match result {
            Some(value) => Ok(value),
            None => {
                if let Root::Var(slot, var_span) = &resolved.root
                    && resolved.steps.is_empty()
                    && self.load_option(*slot).is_none()
                {
                    return Err(self.undefined(*var_span));
                }
                // A missing element behaves as none, which no compound operator accepts.
                let updated = ops::binary(op, &Value::None, &rhs).map_err(|e| self.op_error(e, span))?;
                self.write_resolved(&resolved, updated.clone())?;
                Ok(updated)
            }
        }
    }

    pub(crate) fn inc_dec(&mut self, place: &Place, increment: bool, prefix: bool, span: Span) -> Fallible<Value> {
        let delta = if increment { 1.0 } else { -1.0 };
        if let Place::Var(slot, var_span) = place {
            let fast = self.with_var(*slot, |current| match current {
                Some(Value::Number(number)) => {
                    let old = number.get();
                    *number = Number::new(old + delta);
                    Some(Value::number(if prefix { old + delta } else { old }))
                }
                _ => None,
            });
            if let Some(value) = fast {
                return Ok(value);
            }
            if self.load_option(*slot).is_none() {
                return Err(self.undefined(*var_span));
            }
        }
        if let Place::Property(target, member, _) = place
            && let Some(value) = self.with_own_number(target, member, |number| {
                let old = *number;
                *number += delta;
                Some(Value::number(if prefix { *number } else { old }))
            })
        {
            return Ok(value);
        }
        if let Some((old, new)) = self.update_number_element(place, |number| Some(number + delta)) {
            return Ok(Value::number(if prefix { new } else { old }));
        }
        let resolved = self.resolve(place)?;
        let mut update = |slot: &mut Value| -> Fallible<(Value, Value)> {
            let old = slot.clone();
            let new = match &old {
                Value::Number(number) => Value::number(number.get() + delta),
                Value::Bool(flag) => Value::number(f64::from(u8::from(flag.get())) + delta),
                other => {
                    return Err(error(
                        ErrorKind::Type,
                        format!("cannot {} a {}", if increment { "increment" } else { "decrement" }, other.type_name()),
                        span,
                    ));
                }
            };
            *slot = new.clone();
            Ok((old, new))
        };
        match self.with_place(&resolved, false, &mut update)? {
            Some((old, new)) => Ok(if prefix { new } else { old }),
            None => match &resolved.root {
                Root::Var(_, var_span) if resolved.steps.is_empty() => Err(self.undefined(*var_span)),
                _ => Err(self.error(
                    ErrorKind::Type,
                    format!("cannot {} none", if increment { "increment" } else { "decrement" }),
                    span,
                )),
            },
        }
    }

    pub(crate) fn isset(&mut self, place: &Place) -> Fallible<bool> {
        let Some(resolved) = self.resolve_mode(place, true)? else { return Ok(false) };
        if let Root::Property(object, ..) = &resolved.root
            && !matches!(object.class(), ClassRef::User(..))
        {
            return Ok(false);
        }
        Ok(self.read_resolved(&resolved)?.is_some())
    }

    pub(crate) fn unset(&mut self, place: &Place) -> Fallible<bool> {
        let Some(mut resolved) = self.resolve_mode(place, true)? else { return Ok(false) };
        if let Some(bounds) = resolved.slice.take() {
            return self.unset_slice(&resolved, bounds);
        }
        let Some(last) = resolved.steps.pop() else {
            return Ok(match &resolved.root {
                Root::Var(slot, _) => {
                    let existed = self.load_option(*slot).is_some();
                    self.store_option(*slot, None);
                    existed
                }
                Root::Static(..) => {
                    return Err(self.error(ErrorKind::Access, "static class variables cannot be unset", resolved.span));
                }
                Root::Property(object, name, slot) => {
                    let at = self.walk_ctx(resolved.span).locate(object, name, *slot, true)?;
                    let removed = object.fields().and_then(|fields| fields.lock().remove(at));
                    removed.is_some() // dropped outside the lock
                }
            });
        };
        let program = self.program;
        let removed = self.with_place(&resolved, false, &mut |container: &mut Value| {
            Ok(match (container, &last) {
                (Value::Array(array), Step::Key(key)) => {
                    array.contains_key(key.as_ref()) && array.make_mut().remove(key.as_ref()).is_some()
                }
                (Value::Object(object), Step::Key(Key::Str(name))) => {
                    let removed = match (object.class(), object.fields()) {
                        (ClassRef::User(class, _), Some(fields)) => {
                            fields.lock().remove(program.classes[class.0 as usize].field_at(&name.to_str()))
                        }
                        _ => None,
                    };
                    removed.is_some()
                }
                _ => false,
            })
        })?;
        Ok(removed.unwrap_or(false))
    }

    fn assign_slice(&mut self, resolved: &Resolved, bounds: [Option<f64>; 3], value: Value) -> Fallible<()> {
        let span = resolved.span;
        let [start, stop, step] = bounds;
        if step.is_some_and(|s| s != 1.0) {
            return Err(self.error(ErrorKind::Value, "slice assignment does not support a step", span));
        }
        let base =
            Resolved { root: clone_root(&resolved.root), steps: clone_steps(&resolved.steps), slice: None, span };
        let mut value = Some(value);
        self.with_place(&base, true, &mut |container: &mut Value| {
            let replacement = value.take().unwrap_or_default();
            match (container, replacement) {
                (Value::Array(array), Value::Array(new)) => {
                    let positions = ops::slice_positions(array.len(), start, stop, None)
                        .map_err(|e| Box::new(Interrupt::Error(e.at(span))))?;
                    let from = positions.first().copied().unwrap_or_else(|| insertion_point(array.len(), start));
                    let to = positions.last().map_or(from, |last| last + 1);
                    let mut rebuilt = Array::with_capacity(array.len() + new.len());
                    {
                        let data = rebuilt.make_mut();
                        let mut put = |key: Key, item: &Value| match key {
                            Key::Str(_) => data.insert(key, item.clone()),
                            Key::Int(_) => {
                                data.push(item.clone());
                            }
                        };
                        for (position, (key, item)) in array.iter().enumerate() {
                            if position == from {
                                for (new_key, new_item) in new.iter() {
                                    put(new_key, new_item);
                                }
                            }
                            if position < from || position >= to {
                                put(key, item);
                            }
                        }
                        if from >= array.len() {
                            for (new_key, new_item) in new.iter() {
                                put(new_key, new_item);
                            }
                        }
                    }
                    *array = rebuilt;
                    Ok(())
                }
                (Value::String(text), Value::String(new)) => {
                    let positions = ops::slice_positions(text.len(), start, stop, None)
                        .map_err(|e| Box::new(Interrupt::Error(e.at(span))))?;
                    let from = positions.first().copied().unwrap_or_else(|| insertion_point(text.len(), start));
                    let to = positions.last().map_or(from, |last| last + 1);
                    text.replace_range(from..to, new.as_bytes());
                    Ok(())
                }
                (Value::Array(_), other) | (Value::String(_), other) => Err(error(
                    ErrorKind::Type,
                    format!("a slice can only be replaced by a value of the same type, found {}", other.type_name()),
                    span,
                )),
                (other, _) => Err(error(ErrorKind::Type, format!("cannot slice a {}", other.type_name()), span)),
            }
        })?;
        Ok(())
    }

    fn unset_slice(&mut self, resolved: &Resolved, bounds: [Option<f64>; 3]) -> Fallible<bool> {
        let span = resolved.span;
        let [start, stop, step] = bounds;
        let removed = self.with_place(resolved, false, &mut |container: &mut Value| match container {
            Value::Array(array) => {
                let positions = ops::slice_positions(array.len(), start, stop, step)
                    .map_err(|e| Box::new(Interrupt::Error(e.at(span))))?;
                if positions.is_empty() {
                    return Ok(false);
                }
                let mut position = 0;
                array.make_mut().retain(|_, _| {
                    let keep = !positions.contains(&position);
                    position += 1;
                    keep
                });
                Ok(true)
            }
            other => Err(error(ErrorKind::Type, format!("cannot unset a slice of a {}", other.type_name()), span)),
        })?;
        Ok(removed.unwrap_or(false))
    }

    /// `[$a, $b = 1, ...$rest] = value` and the keyed form.
    pub(crate) fn destructure(&mut self, items: &[crate::ir::PatternItem], value: &Value) -> Fallible<()> {
        let empty = Array::new();
        let array = match value {
            Value::Array(array) => array,
            _ => &empty,
        };
        let mut position = 0;
        for item in items {
            if item.rest {
                let rest = Array::from_values(
                    (position..array.len()).filter_map(|p| array.get_index(p)).map(|(_, v)| v.clone()),
                );
                self.store(item.slot, Value::Array(rest));
                continue;
            }
            let found = match &item.key {
                Some(key) => {
                    let key = self.eval(key)?;
                    let key = ops::to_key(&key).map_err(|e| self.op_error(e, Span::NONE))?;
                    array.get(key.as_ref()).cloned()
                }
                None => {
                    position += 1;
                    array.get_index(position - 1).map(|(_, v)| v.clone())
                }
            };
            let value = match (found, &item.default) {
                (Some(value), _) => value,
                (None, Some(default)) => self.eval(default)?,
                (None, None) => Value::None,
            };
            self.store(item.slot, value);
        }
        Ok(())
    }
}

fn insertion_point(len: usize, start: Option<f64>) -> usize {
    start.map_or(0, |start| ops::slice_bound(len as i64, start, 0, len as i64) as usize)
}

fn clone_root(root: &Root) -> Root {
    match root {
        Root::Var(slot, span) => Root::Var(*slot, *span),
        Root::Static(class, index) => Root::Static(*class, *index),
        Root::Property(object, name, slot) => Root::Property(object.clone(), name.clone(), *slot),
    }
}

fn clone_steps(steps: &[Step]) -> Vec<Step> {
    steps
        .iter()
        .map(|step| match step {
            Step::Key(key) => Step::Key(key.clone()),
            Step::Append => Step::Append,
        })
        .collect()
}
