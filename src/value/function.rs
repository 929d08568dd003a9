//! Function values: user functions, closures, natives, bound methods and class constructors.

use std::sync::Arc;

use parking_lot::Mutex;

use super::{Object, Str, Value};
use crate::module::{NativeClass, NativeFunction};

/// Index of a compiled function in its program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FnId(pub u32);

/// Index of a compiled class in its program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClassId(pub u32);

/// A variable shared by reference between a scope and the closures that capture it.
/// `None` inside means the variable is unset.
pub type Cell = Arc<Mutex<Option<Value>>>;

/// A fresh cell holding `value`.
pub fn new_cell(value: Option<Value>) -> Cell {
    Arc::new(Mutex::new(value))
}

/// A callable value. Equality is identity (open question Q-OP-5).
#[derive(Clone, Debug)]
pub struct Function(pub Arc<FunctionKind>);

/// What a [`Function`] calls.
#[derive(Debug)]
pub enum FunctionKind {
    /// A named or anonymous user function; closures carry the cells they captured.
    User {
        /// The compiled function.
        id: FnId,
        /// Captured variables, in the order of the `closure (...)` list.
        captures: Box<[Cell]>,
    },
    /// A builtin, host function or hook action.
    Native(Arc<NativeFunction>),
    /// A user method bound to its instance (`$obj->method` used as a value).
    Method {
        /// The instance.
        object: Object,
        /// The method.
        id: FnId,
    },
    /// A builtin-class method bound to its instance.
    NativeMethod {
        /// The instance.
        object: Object,
        /// The method name.
        name: Str,
    },
    /// A user class used as a value: calling it constructs an instance.
    Class(ClassId),
    /// A builtin class used as a value.
    NativeClass(&'static NativeClass),
}

impl Function {
    /// Wraps a kind.
    pub fn new(kind: FunctionKind) -> Function {
        Function(Arc::new(kind))
    }

    /// The kind.
    pub fn kind(&self) -> &FunctionKind {
        &self.0
    }

    /// Identity: the same closure instance, or the same named function/native/class.
    pub fn same(&self, other: &Function) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        match (self.kind(), other.kind()) {
            (FunctionKind::User { id: a, captures: ca }, FunctionKind::User { id: b, captures: cb }) => {
                a == b && ca.is_empty() && cb.is_empty()
            }
            (FunctionKind::Native(a), FunctionKind::Native(b)) => a.same(b),
            (FunctionKind::Class(a), FunctionKind::Class(b)) => a == b,
            (FunctionKind::NativeClass(a), FunctionKind::NativeClass(b)) => std::ptr::eq(*a, *b),
            (FunctionKind::Method { object: oa, id: a }, FunctionKind::Method { object: ob, id: b }) => {
                a == b && oa.ptr_eq(ob)
            }
            (
                FunctionKind::NativeMethod { object: oa, name: a },
                FunctionKind::NativeMethod { object: ob, name: b },
            ) => a == b && oa.ptr_eq(ob),
            _ => false,
        }
    }
}
