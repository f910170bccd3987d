//! The password resources on the wire (reference §2.7-§2.9): request types, and the shapes the
//! OpenAPI document shows. None of them ever answers with a body.

use utoipa::ToSchema;

use crate::jsonapi::ResourceKind;

pub struct CustomerPassword;
impl ResourceKind for CustomerPassword {
    const TYPE: &'static str = "customer-password";
}

pub struct ForgottenPassword;
impl ResourceKind for ForgottenPassword {
    const TYPE: &'static str = "customer-forgotten-password";
}

pub struct RestorePassword;
impl ResourceKind for RestorePassword {
    const TYPE: &'static str = "customer-restore-password";
}

/// `PATCH /customer-password/{customerReference}` attributes (documentation; parsing is in
/// `domain`).
#[derive(ToSchema)]
#[schema(as = CustomerPasswordAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ChangeDoc {
    /// The current password.
    password: String,
    #[schema(example = "change-Me-2027!", min_length = 12, max_length = 72)]
    new_password: String,
    #[schema(example = "change-Me-2027!", min_length = 12, max_length = 72)]
    confirm_password: String,
}

/// `POST /customer-forgotten-password` attributes.
#[derive(ToSchema)]
#[schema(as = CustomerForgottenPasswordAttributes)]
#[allow(dead_code)]
pub struct ForgottenDoc {
    #[schema(example = "sonia@example.com", format = Email, max_length = 255)]
    email: String,
}

/// `PATCH /customer-restore-password/{anyId}` attributes.
#[derive(ToSchema)]
#[schema(as = CustomerRestorePasswordAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RestoreDoc {
    /// The key from the reset email's link (`token`).
    restore_password_key: String,
    #[schema(example = "change-Me-2027!", min_length = 12, max_length = 72)]
    password: String,
    #[schema(example = "change-Me-2027!", min_length = 12, max_length = 72)]
    confirm_password: String,
}
