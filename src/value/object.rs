//! Objects: user class instances and builtin-class instances. Reference semantics.

use std::any::Any;
use std::sync::Arc;

use indexmap::IndexMap;
use parking_lot::Mutex;
use rustc_hash::FxBuildHasher;

use super::{ClassId, Str, Value};
use crate::module::NativeClass;

/// Which class an object belongs to.
#[derive(Clone, Debug)]
pub enum ClassRef {
    /// A class declared in the script, with its name for messages.
    User(ClassId, Arc<str>),
    /// A builtin class (`Exception`, `X509`, `Regex`, ...).
    Native(&'static NativeClass),
}

/// Where a user instance keeps one property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldAt<'a> {
    /// The declared instance variable with this index in its class (`ir::ClassDef::fields`).
    Declared(usize),
    /// A property added at run time under this name (never a declared one's name).
    Added(&'a Str),
}

/// A user instance's properties. The declared ones sit in slots in the class's declaration order, their
/// names kept once in the class, so creating an instance copies a short vector and an access resolved to
/// a slot indexes it without hashing. Properties a script adds (language.md §9.2) go to a name map that
/// only exists once one is added.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    /// Declared properties by slot; `None` once unset.
    declared: Box<[Option<Value>]>,
    /// Added properties in insertion order.
    added: Option<Box<IndexMap<Str, Value, FxBuildHasher>>>,
}

impl Fields {
    /// Properties with the declared slots set to `declared` and nothing added.
    pub fn new(declared: Box<[Option<Value>]>) -> Fields {
        Fields { declared, added: None }
    }

    /// The property's value, `None` when it does not exist.
    #[inline]
    pub fn get(&self, at: FieldAt<'_>) -> Option<&Value> {
        match at {
            FieldAt::Declared(index) => self.declared.get(index)?.as_ref(),
            FieldAt::Added(name) => self.added.as_ref()?.get(name),
        }
    }

    /// The property's value to change in place; with `create`, a missing property is created as none.
    /// `None` when it is missing and not created (or `at` names no slot of this instance).
    #[inline]
    pub fn get_mut(&mut self, at: FieldAt<'_>, create: bool) -> Option<&mut Value> {
        match at {
            FieldAt::Declared(index) => {
                let slot = self.declared.get_mut(index)?;
                if create && slot.is_none() {
                    *slot = Some(Value::None);
                }
                slot.as_mut()
            }
            FieldAt::Added(name) => {
                if !create {
                    return self.added.as_mut()?.get_mut(name);
                }
                let added = self.added.get_or_insert_with(Box::default);
                Some(added.entry(name.clone()).or_insert(Value::None))
            }
        }
    }

    /// Sets the property (creating it) and gives back the value it replaced, for the caller to drop
    /// outside the lock.
    #[inline]
    pub fn set(&mut self, at: FieldAt<'_>, value: Value) -> Option<Value> {
        self.get_mut(at, true).map(|slot| std::mem::replace(slot, value))
    }

    /// Removes the property; its value when it existed.
    pub fn remove(&mut self, at: FieldAt<'_>) -> Option<Value> {
        match at {
            FieldAt::Declared(index) => self.declared.get_mut(index)?.take(),
            FieldAt::Added(name) => self.added.as_mut()?.shift_remove(name),
        }
    }

    /// The declared properties that are set, as (slot, value), in declaration order.
    pub fn declared(&self) -> impl Iterator<Item = (usize, &Value)> {
        self.declared.iter().enumerate().filter_map(|(index, slot)| Some((index, slot.as_ref()?)))
    }

    /// The added properties, in the order they were added.
    pub fn added(&self) -> impl Iterator<Item = (&Str, &Value)> {
        self.added.iter().flat_map(|added| added.iter())
    }
}

/// An object's state.
pub enum ObjectState {
    /// User instances: their properties.
    Fields(Mutex<Fields>),
    /// Builtin instances: whatever the builtin class keeps.
    Native(Box<dyn Any + Send + Sync>),
}

impl std::fmt::Debug for ObjectState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObjectState::Fields(fields) => fields.lock().fmt(f),
            ObjectState::Native(_) => f.write_str("<native>"),
        }
    }
}

/// The shared part of an object.
#[derive(Debug)]
pub struct ObjectData {
    /// Its class.
    pub class: ClassRef,
    /// Its state.
    pub state: ObjectState,
}

/// A reference to an object; clones share it.
#[derive(Clone, Debug)]
pub struct Object(pub Arc<ObjectData>);

impl Object {
    /// A user instance with the given properties.
    pub fn instance(class: ClassId, name: Arc<str>, fields: Fields) -> Object {
        Object(Arc::new(ObjectData {
            class: ClassRef::User(class, name),
            state: ObjectState::Fields(Mutex::new(fields)),
        }))
    }

    /// A builtin-class instance holding `state`.
    pub fn native(class: &'static NativeClass, state: impl Any + Send + Sync) -> Object {
        Object(Arc::new(ObjectData { class: ClassRef::Native(class), state: ObjectState::Native(Box::new(state)) }))
    }

    /// Its class.
    pub fn class(&self) -> &ClassRef {
        &self.0.class
    }

    /// The class name (`Counter`, `Exception`, ...).
    pub fn class_name(&self) -> &str {
        match &self.0.class {
            ClassRef::User(_, name) => name,
            ClassRef::Native(class) => class.name,
        }
    }

    /// The builtin state, if it is of type `T`.
    pub fn native_state<T: Any>(&self) -> Option<&T> {
        match &self.0.state {
            ObjectState::Native(state) => state.downcast_ref::<T>(),
            ObjectState::Fields(_) => None,
        }
    }

    /// The properties of a user instance.
    pub fn fields(&self) -> Option<&Mutex<Fields>> {
        match &self.0.state {
            ObjectState::Fields(fields) => Some(fields),
            ObjectState::Native(_) => None,
        }
    }

    /// Whether both refer to the same object.
    pub fn ptr_eq(&self, other: &Object) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Whether this is an instance of the builtin class `class`.
    pub fn is_native(&self, class: &'static NativeClass) -> bool {
        matches!(&self.0.class, ClassRef::Native(own) if std::ptr::eq(*own, class))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields::new(Box::new([Some(Value::number(1.0)), Some(Value::number(2.0))]))
    }

    #[test]
    fn declared_slots_can_be_unset_and_set_again() {
        let mut fields = fields();
        assert!(matches!(fields.get(FieldAt::Declared(1)), Some(Value::Number(n)) if n.get() == 2.0));
        assert!(fields.remove(FieldAt::Declared(0)).is_some());
        assert!(fields.get(FieldAt::Declared(0)).is_none());
        assert!(fields.get_mut(FieldAt::Declared(0), false).is_none());
        assert!(fields.remove(FieldAt::Declared(0)).is_none());
        assert!(matches!(fields.set(FieldAt::Declared(0), Value::number(5.0)), Some(Value::None)));
        assert_eq!(fields.declared().map(|(index, _)| index).collect::<Vec<_>>(), [0, 1]);
        // A slot the class does not have is missing, never a panic.
        assert!(fields.get(FieldAt::Declared(9)).is_none());
        assert!(fields.set(FieldAt::Declared(9), Value::None).is_none());
    }

    #[test]
    fn added_properties_keep_their_order_and_need_no_map_until_added() {
        let mut fields = fields();
        let (a, b) = (Str::from("a"), Str::from("b"));
        assert!(fields.get(FieldAt::Added(&a)).is_none());
        assert!(fields.get_mut(FieldAt::Added(&a), false).is_none());
        assert!(fields.added.is_none());
        fields.set(FieldAt::Added(&b), Value::bool(true));
        fields.set(FieldAt::Added(&a), Value::bool(false));
        let names: Vec<&Str> = fields.added().map(|(name, _)| name).collect();
        assert_eq!(names, [&b, &a]);
        assert!(fields.remove(FieldAt::Added(&b)).is_some());
        assert!(fields.get(FieldAt::Added(&b)).is_none());
        assert_eq!(fields.added().count(), 1);
    }
}
