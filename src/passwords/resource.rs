//! The password resources on the wire (reference §2.7-§2.9): request types, and the shapes the
//! OpenAPI document shows. None of them ever answers with a body.

use utoipa::openapi::schema::Object;
use utoipa::ToSchema;

use super::domain;
use crate::credentials::policy;
use crate::jsonapi::openapi::type_schema;
use crate::jsonapi::ResourceKind;
use crate::settings::PasswordPolicy;
use crate::validation::schema;

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

type_schema!(CustomerPassword, ForgottenPassword, RestorePassword);

/// `PATCH /customer-password/{customerReference}` attributes (documentation; parsing is in
/// `domain`, whose rule lists the schemas below are built from).
#[derive(ToSchema)]
#[schema(as = CustomerPasswordAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ChangeDoc {
    #[schema(schema_with = current_schema)]
    password: String,
    #[schema(schema_with = new_password_schema)]
    new_password: String,
    #[schema(schema_with = confirm_new_schema)]
    confirm_password: String,
}

/// `POST /customer-forgotten-password` attributes.
#[derive(ToSchema)]
#[schema(as = CustomerForgottenPasswordAttributes)]
#[allow(dead_code)]
pub struct ForgottenDoc {
    #[schema(schema_with = email_schema)]
    email: String,
}

/// `PATCH /customer-restore-password/{anyId}` attributes.
#[derive(ToSchema)]
#[schema(as = CustomerRestorePasswordAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RestoreDoc {
    #[schema(schema_with = key_schema)]
    restore_password_key: String,
    #[schema(schema_with = new_password_schema)]
    password: String,
    #[schema(schema_with = confirm_schema)]
    confirm_password: String,
}

fn current_schema() -> Object {
    schema::string(domain::NOT_BLANK)
        .description(Some("The current password."))
        .build()
}

fn key_schema() -> Object {
    schema::string(domain::NOT_BLANK)
        .description(Some("The key from the reset email's link (`token`)."))
        .build()
}

fn email_schema() -> Object {
    schema::string(domain::FORGOTTEN_EMAIL_RULES)
        .description(Some(
            "The WHATWG (HTML) email grammar, with a dot in the domain.",
        ))
        .examples(["sonia@example.com"])
        .build()
}

fn new_password_schema() -> Object {
    policy::new_password_schema(&PasswordPolicy::default())
}

fn confirm_new_schema() -> Object {
    policy::confirm_schema(&PasswordPolicy::default(), "newPassword")
}

fn confirm_schema() -> Object {
    policy::confirm_schema(&PasswordPolicy::default(), "password")
}
