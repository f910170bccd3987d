//! Loading keys: `kid`, the JWKS, key sets refused at start-up, key files.

use super::*;

#[test]
fn the_thumbprint_matches_the_rfc_7638_example() {
    // RFC 7638 §3.1: the example key and its published thumbprint.
    let n = URL_SAFE_NO_PAD
        .decode(concat!(
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6t",
            "Soc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v",
            "-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08",
            "qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8",
            "awapJzKnqDKgw",
        ))
        .expect("base64url");
    assert_eq!(
        key::thumbprint(&n, &[1, 0, 1]),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn the_kid_is_the_rfc_7638_thumbprint_and_stable_across_loads_and_encodings() {
    let expected = expected_thumbprint(old());
    assert_eq!(keys(&[old()]).signing_kid(), expected);
    assert_eq!(keys(&[old()]).signing_kid(), expected);
    // The same key as PKCS#1 PEM is the same key.
    let pkcs1 = RsaPrivateKey::from_pkcs8_pem(old())
        .expect("PKCS#8")
        .to_pkcs1_pem(LineEnding::LF)
        .expect("PKCS#1")
        .to_string();
    assert_eq!(keys(&[&pkcs1]).signing_kid(), expected);

    let (header, _) = parts(&issue(&keys(&[old()])));
    assert_eq!(
        header,
        json!({"typ": "JWT", "alg": "RS256", "kid": expected}),
        "{header}"
    );
    assert_ne!(keys(&[new()]).signing_kid(), expected);
}

#[test]
fn the_jwks_lists_every_public_key_signing_key_first() {
    let jwks = keys(&[new(), old()]).jwks();
    let listed = jwks["keys"].as_array().expect("keys");
    assert_eq!(listed.len(), 2, "{jwks}");
    for (jwk, pem) in listed.iter().zip([new(), old()]) {
        let private = RsaPrivateKey::from_pkcs8_pem(pem).expect("PKCS#8");
        let members: Vec<&str> = jwk
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(members, ["kty", "use", "alg", "kid", "n", "e"], "{jwk}");
        assert_eq!(jwk["kid"], json!(expected_thumbprint(pem)));
        assert_eq!((&jwk["kty"], &jwk["use"]), (&json!("RSA"), &json!("sig")));
        assert_eq!((&jwk["alg"], &jwk["e"]), (&json!("RS256"), &json!("AQAB")));
        let n = URL_SAFE_NO_PAD
            .decode(jwk["n"].as_str().expect("n"))
            .expect("n is base64url without padding");
        assert_ne!(n[0], 0, "no leading zero byte");
        assert_eq!(rsa::BigUint::from_bytes_be(&n), *private.n());
    }
    // A verifier holding only the JWKS accepts our tokens.
    let token = issue(&keys(&[new(), old()]));
    let jwk = &listed[0];
    let decoding = DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )
    .expect("JWK components");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["frontend"]);
    jsonwebtoken::decode::<Claims>(&token, &decoding, &validation).expect("verifies");
}

#[test]
fn key_sets_that_cannot_be_right_are_refused_at_start_up() {
    let duplicate = TokenKeys::from_pems(&[new(), old(), new()], &settings())
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        duplicate.as_deref(),
        Some("JWT key file key #3: holds the same key as key #1")
    );
    let none: [&str; 0] = [];
    assert!(TokenKeys::from_pems(&none, &settings()).is_err());
    assert!(TokenKeys::from_pems(&["not a key"], &settings()).is_err());
    assert!(TokenKeys::from_pems(&[new_pem(1024)], &settings()).is_err());
}

#[test]
fn only_a_lone_key_file_is_created_when_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lone = dir.path().join("keys/lone.pem");
    let mut settings = settings();
    settings.key_files = vec![lone.clone()];
    let created = TokenKeys::load_or_create(&settings).expect("created");
    let reloaded = TokenKeys::load_or_create(&settings).expect("reloaded");
    assert_eq!(created.signing_kid(), reloaded.signing_kid());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&lone).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let missing = dir.path().join("missing.pem");
    settings.key_files = vec![missing.clone(), lone.clone()];
    let err = TokenKeys::load_or_create(&settings)
        .err()
        .map(|e| e.to_string());
    let err = err.unwrap_or_default();
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(!missing.exists());

    settings.key_files = vec![lone.clone(), lone];
    let err = TokenKeys::load_or_create(&settings)
        .err()
        .map(|e| e.to_string());
    assert!(err.unwrap_or_default().contains("the same key"));
}
