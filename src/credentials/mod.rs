//! Credentials: the policy a new password must meet, and bcrypt hashing. Registration, login,
//! password change and reset build on this module; it knows no resource.

pub mod hashing;
pub mod keys;
pub mod policy;

pub use hashing::{
    check_login, check_login_blocking, hash, hash_blocking, needs_rehash, verify, verify_blocking,
    LoginCheck,
};

/// bcrypt reads at most this many bytes.
pub const MAX_PASSWORD_BYTES: usize = 72;
