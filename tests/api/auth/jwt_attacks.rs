//! JWT attacks (checklist C10): each gets 401 001. Every test first shows that a token forged
//! the same way from the same claims but correctly is accepted, so only the attack differs.

use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};

use super::forge::{
    claims_of, jwt_parts, kid_of, now, public_jwk, rs256, rsa_key, segment, server_kid,
    server_public_key_pems, server_signed, sign, sign_as, with_payload,
};
use super::{
    assert_forgery_refused, assert_invalid_token, assert_token_accepted, assert_token_refused,
    get_collection,
};
use crate::helpers::{foreign_key_pem, signing_key_pem, spawn_app, Customer, TestApp};

/// A customer and the claims of their access token, after showing that the server accepts
/// exactly those claims re-signed with its own key.
async fn forgeable_customer() -> (TestApp, Customer, Value) {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_token_accepted(&app, &customer, &server_signed(&claims)).await;
    (app, customer, claims)
}

#[tokio::test]
async fn a_token_forged_with_the_server_key_and_the_issued_claims_is_accepted() {
    // The control every other test here starts with.
    forgeable_customer().await;
}

#[tokio::test]
async fn alg_none_tokens_are_rejected_in_every_spelling() {
    let (app, customer, claims) = forgeable_customer().await;

    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = format!(
            "{}.{}.",
            segment(&json!({"alg": alg, "typ": "JWT", "kid": server_kid()})),
            segment(&claims)
        );
        assert_token_refused(&app, &customer, &unsigned).await;
        // The server's own signature kept, the header switched to `none`.
        let original_signature = customer.access_token.rsplit('.').next().expect("signature");
        let with_signature = format!("{}.{original_signature}", unsigned.trim_end_matches('.'));
        assert_token_refused(&app, &customer, &with_signature).await;
    }
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_server_rsa_key_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    // Key confusion: the public key (as the server might hold it) as the HMAC secret; also
    // without the trailing newline, and the private PEM for good measure.
    let mut secrets: Vec<String> = Vec::new();
    for pem in server_public_key_pems() {
        secrets.push(pem.trim_end().to_owned());
        secrets.push(pem);
    }
    secrets.push(signing_key_pem());
    for secret in &secrets {
        for algorithm in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let key = EncodingKey::from_secret(secret.as_bytes());
            let token = sign_as(&claims, &key, algorithm);
            assert_token_refused(&app, &customer, &token).await;
        }
    }
}

#[tokio::test]
async fn a_token_signed_by_a_foreign_rsa_key_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    let foreign = rs256(&claims, &foreign_key_pem());
    assert_token_refused(&app, &customer, &foreign).await;

    // Headers pointing at other keys change nothing.
    let key = rsa_key(&foreign_key_pem());
    for header in [
        json!({"alg": "RS256", "typ": "JWT", "kid": "does-not-exist"}),
        json!({"alg": "RS256", "typ": "JWT", "kid": server_kid(), "jku": "http://127.0.0.1:1/jwks.json"}),
        json!({"alg": "RS256", "typ": "JWT", "kid": server_kid(), "x5u": "http://127.0.0.1:1/cert.pem"}),
    ] {
        let token = sign(&header, &claims, &key, Algorithm::RS256);
        assert_token_refused(&app, &customer, &token).await;
    }
    // Another RSA algorithm with the foreign key.
    let ps256 = sign_as(&claims, &key, Algorithm::PS256);
    assert_token_refused(&app, &customer, &ps256).await;
}

#[tokio::test]
async fn a_well_signed_token_whose_kid_names_no_configured_key_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;
    let (issued_header, _) = jwt_parts(&customer.access_token);
    assert_eq!(issued_header["kid"], json!(server_kid()), "{issued_header}");

    // Signed by the server's own key: only the `kid` is wrong.
    let key = rsa_key(&signing_key_pem());
    for kid in [json!("does-not-exist"), json!(kid_of(&foreign_key_pem()))] {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
        let token = sign(&header, &claims, &key, Algorithm::RS256);
        assert_token_refused(&app, &customer, &token).await;
    }
}

#[tokio::test]
async fn a_well_signed_token_without_a_kid_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    let header = json!({"alg": "RS256", "typ": "JWT"});
    let token = sign(
        &header,
        &claims,
        &rsa_key(&signing_key_pem()),
        Algorithm::RS256,
    );
    assert_token_refused(&app, &customer, &token).await;
}

#[tokio::test]
async fn a_valid_token_with_a_jwk_jku_or_x5u_header_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    // The server's own key and kid, the token otherwise exactly as issued: the header member
    // alone is refused (even the server's own public key embedded as `jwk`).
    let key = rsa_key(&signing_key_pem());
    for (member, value) in [
        ("jwk", public_jwk(&signing_key_pem())),
        (
            "jku",
            json!(format!("{}/.well-known/jwks.json", app.address)),
        ),
        ("x5u", json!(format!("{}/cert.pem", app.address))),
    ] {
        let mut header = json!({"alg": "RS256", "typ": "JWT", "kid": server_kid()});
        header[member] = value;
        let token = sign(&header, &claims, &key, Algorithm::RS256);
        assert_token_refused(&app, &customer, &token).await;
    }
    // An attacker's key embedded in the header, the token signed by it.
    let attacker = public_jwk(&foreign_key_pem());
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": attacker["kid"], "jwk": attacker});
    let token = sign(
        &header,
        &claims,
        &rsa_key(&foreign_key_pem()),
        Algorithm::RS256,
    );
    assert_token_refused(&app, &customer, &token).await;
}

#[tokio::test]
async fn a_token_whose_payload_was_changed_keeping_the_signature_is_rejected() {
    let app = spawn_app().await;
    let victim = app.customer().await;
    let attacker = app.customer().await;

    let mut claims = claims_of(&attacker.access_token);
    claims["sub"] = json!(victim.reference);
    let tampered = with_payload(&attacker.access_token, &claims);

    assert_token_refused(&app, &victim, &tampered).await;
    assert_invalid_token(&get_collection(&app, &tampered).await);
    // Stretching the lifetime is tampering too.
    let mut longer = claims_of(&attacker.access_token);
    longer["exp"] = json!(longer["exp"].as_i64().expect("exp") + 86_400);
    let stretched = with_payload(&attacker.access_token, &longer);
    assert_token_refused(&app, &attacker, &stretched).await;
    // The untouched token still works.
    assert_token_accepted(&app, &attacker, &attacker.access_token).await;
}

#[tokio::test]
async fn an_expired_token_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    let now = now();
    let mut expired = claims;
    expired["iat"] = json!(now - 3_600);
    expired["nbf"] = json!(now - 3_600);
    expired["exp"] = json!(now - 1);

    assert_forgery_refused(&app, &customer, &expired, "expired").await;
}

#[tokio::test]
async fn a_token_that_is_not_valid_yet_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    let mut early = claims;
    early["nbf"] = json!(now() + 600);

    assert_forgery_refused(&app, &customer, &early, "not valid yet").await;
}

#[tokio::test]
async fn a_token_for_another_issuer_or_audience_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    for (claim, value) in [
        ("iss", json!("https://evil.example")),
        ("iss", json!(format!("{}/", app.address))),
        ("aud", json!("backoffice")),
        ("aud", json!(["backoffice"])),
        ("aud", json!("")),
    ] {
        let mut changed = claims.clone();
        changed[claim] = value.clone();
        assert_forgery_refused(&app, &customer, &changed, &format!("{claim} = {value}")).await;
    }
}

#[tokio::test]
async fn a_token_lacking_a_required_claim_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    for claim in ["exp", "iss", "aud", "sub", "sid"] {
        let mut partial = claims.clone();
        partial
            .as_object_mut()
            .expect("claims object")
            .remove(claim);
        assert_forgery_refused(&app, &customer, &partial, &format!("without {claim}")).await;
    }
}

#[tokio::test]
async fn a_well_signed_token_whose_session_does_not_exist_is_rejected() {
    let (app, customer, claims) = forgeable_customer().await;

    let mut orphan = claims.clone();
    orphan["sid"] = json!("00000000000000000000000000000000");
    assert_forgery_refused(&app, &customer, &orphan, "unknown sid").await;

    // Another customer's live session does not vouch for this subject either.
    let other = app.customer().await;
    let mut borrowed = claims.clone();
    borrowed["sid"] = claims_of(&other.access_token)["sid"].clone();
    assert_forgery_refused(&app, &customer, &borrowed, "another customer's sid").await;
}
