//! The fixed choices of customer and address attributes (reference §2.1, §2.6): the lists the
//! validation checks against, and the same lists as OpenAPI enums.

use utoipa::ToSchema;

pub const GENDERS: &[&str] = &["Male", "Female"];
pub const SALUTATIONS: &[&str] = &["Mr", "Mrs", "Ms", "Dr"];

/// Spryker's genders (documentation; validation uses [`GENDERS`]).
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum Gender {
    Male,
    Female,
}

/// Spryker's salutations (documentation; validation uses [`SALUTATIONS`]).
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum Salutation {
    Mr,
    Mrs,
    Ms,
    Dr,
}
