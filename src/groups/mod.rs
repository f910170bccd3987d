//! Customer groups (partner API): every customer belongs to at most one, and new customers to
//! the default group.

pub mod handlers;
pub mod model;
pub mod repo;
pub mod resource;
pub mod service;
