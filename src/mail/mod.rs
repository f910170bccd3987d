//! Email: the templates that turn an event (registration, password reset, ...) into a message.

pub mod templates;
