//! Opaque host handles (`X509Resource`, ...). Reference semantics.

use std::any::Any;
use std::sync::Arc;

/// A host resource: a type name and the host's data.
#[derive(Clone)]
pub struct Resource(Arc<ResourceData>);

struct ResourceData {
    type_name: &'static str,
    data: Box<dyn Any + Send + Sync>,
}

impl Resource {
    /// Wraps host data under an HSL-visible type name.
    pub fn new(type_name: &'static str, data: impl Any + Send + Sync) -> Resource {
        Resource(Arc::new(ResourceData { type_name, data: Box::new(data) }))
    }

    /// The type name (`X509Resource`).
    pub fn type_name(&self) -> &'static str {
        self.0.type_name
    }

    /// The data, if it is of type `T`.
    pub fn downcast<T: Any>(&self) -> Option<&T> {
        self.0.data.downcast_ref::<T>()
    }

    /// Whether both refer to the same resource.
    pub fn ptr_eq(&self, other: &Resource) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}>", self.0.type_name)
    }
}
