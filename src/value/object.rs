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

/// An object's state.
pub enum ObjectState {
    /// User instances: properties in declaration order.
    Fields(Mutex<IndexMap<Str, Value, FxBuildHasher>>),
    /// Builtin instances: whatever the builtin class keeps.
    Native(Box<dyn Any + Send + Sync>),
}

impl std::fmt::Debug for ObjectState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObjectState::Fields(fields) => f.debug_map().entries(fields.lock().iter()).finish(),
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
    pub fn instance(class: ClassId, name: Arc<str>, fields: IndexMap<Str, Value, FxBuildHasher>) -> Object {
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
    pub fn fields(&self) -> Option<&Mutex<IndexMap<Str, Value, FxBuildHasher>>> {
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
