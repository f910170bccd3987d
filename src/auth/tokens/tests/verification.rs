//! Issuing and verifying: rotation, `kid`, header members, algorithms, claims, expiry.

use super::*;

#[test]
fn a_token_verifies_under_every_key_set_that_holds_the_key_its_kid_names() {
    let both = keys(&[new(), old()]);
    let by_new = issue(&both);
    let by_old = issue(&keys(&[old()]));

    assert!(both.verify(&by_new).is_some());
    assert!(both.verify(&by_old).is_some());
    assert!(keys(&[old()]).verify(&by_old).is_some());
    assert!(keys(&[old()]).verify(&by_new).is_none());
    assert!(keys(&[old(), new()]).verify(&by_new).is_some());
}

#[test]
fn rotation_keeps_old_tokens_until_the_old_key_is_removed() {
    let before = issue(&keys(&[old()]));

    let rotated = keys(&[new(), old()]);
    assert!(
        rotated.verify(&before).is_some(),
        "old token after rotation"
    );
    let after = issue(&rotated);
    assert_eq!(parts(&after).0["kid"], json!(expected_thumbprint(new())));
    assert!(rotated.verify(&after).is_some());

    let retired = keys(&[new()]);
    assert!(retired.verify(&before).is_none(), "old key removed");
    assert!(retired.verify(&after).is_some());
}

#[test]
fn a_kid_naming_no_configured_key_is_refused_even_with_a_valid_signature() {
    let keys = keys(&[new(), old()]);
    let (header, claims) = parts(&issue(&keys));
    // Control: re-signed exactly as issued.
    assert!(keys.verify(&rs256(&header, &claims, new())).is_some());

    for kid in [
        json!("does-not-exist"),
        json!(expected_thumbprint(&pems()[2])),
        json!(""),
        json!(42),
        json!(null),
    ] {
        let mut changed = header.clone();
        changed["kid"] = kid.clone();
        let token = rs256(&changed, &claims, new());
        assert!(keys.verify(&token).is_none(), "kid {kid}");
    }
    // A kid naming the other configured key, signed by the signing key.
    let mut other = header.clone();
    other["kid"] = json!(expected_thumbprint(old()));
    assert!(keys.verify(&rs256(&other, &claims, new())).is_none());
}

#[test]
fn a_token_without_a_kid_is_refused() {
    let keys = keys(&[new()]);
    let (_, claims) = parts(&issue(&keys));
    let token = rs256(&json!({"alg": "RS256", "typ": "JWT"}), &claims, new());
    assert!(keys.verify(&token).is_none());
}

#[test]
fn headers_that_carry_or_point_at_keys_are_refused_even_when_well_signed() {
    let keys = keys(&[new()]);
    let (header, claims) = parts(&issue(&keys));
    let jwk = keys.jwks()["keys"][0].clone();
    for (member, value) in [
        ("jwk", jwk),
        ("jku", json!("https://issuer.test/jwks.json")),
        ("x5u", json!("https://issuer.test/cert.pem")),
        ("x5c", json!(["MIIB"])),
        ("crit", json!(["exp"])),
        ("jku", json!(null)),
    ] {
        let mut changed = header.clone();
        changed[member] = value;
        let token = rs256(&changed, &claims, new());
        assert!(keys.verify(&token).is_none(), "{member}: {changed}");
    }
}

#[test]
fn algorithms_other_than_rs256_are_refused() {
    let keys = keys(&[new()]);
    let (header, claims) = parts(&issue(&keys));
    let public = RsaPrivateKey::from_pkcs8_pem(new())
        .expect("PKCS#8")
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("SPKI");
    for (alg, key) in [
        (
            Algorithm::HS256,
            EncodingKey::from_secret(public.as_bytes()),
        ),
        (
            Algorithm::PS256,
            EncodingKey::from_rsa_pem(new().as_bytes()).expect("PEM"),
        ),
        (
            Algorithm::RS512,
            EncodingKey::from_rsa_pem(new().as_bytes()).expect("PEM"),
        ),
    ] {
        let mut changed = header.clone();
        changed["alg"] = json!(alg);
        assert!(
            keys.verify(&forge(&changed, &claims, &key, alg)).is_none(),
            "{alg:?}"
        );
    }
    for alg in ["none", "None", "NONE", "rs256"] {
        let mut changed = header.clone();
        changed["alg"] = json!(alg);
        let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("JSON"));
        let unsigned = format!("{}.{}.", encode(&changed), encode(&claims));
        assert!(keys.verify(&unsigned).is_none(), "{alg}");
    }
}

#[test]
fn every_claim_but_sid_is_required() {
    let keys = keys(&[new()]);
    let (header, claims) = parts(&issue(&keys));
    for claim in [
        "sub",
        "exp",
        "nbf",
        "iat",
        "iss",
        "aud",
        "jti",
        "scope",
        "client_id",
    ] {
        let mut partial = claims.clone();
        partial.as_object_mut().expect("object").remove(claim);
        assert!(
            keys.verify(&rs256(&header, &partial, new())).is_none(),
            "{claim}"
        );
    }
    let mut without_sid = claims.clone();
    without_sid.as_object_mut().expect("object").remove("sid");
    let verified = keys.verify(&rs256(&header, &without_sid, new()));
    assert_eq!(verified.map(|c| c.sid), Some(None));
}

#[test]
fn the_expiry_is_the_lifetime_cut_at_not_after() {
    let keys = keys(&[new()]);

    let issued = keys.issue(&grant(600, None)).expect("issue");
    let claims = keys.verify(&issued.token).expect("valid");
    assert_eq!(claims.exp - claims.iat, 600);
    assert_eq!(issued.expires_in, 600);
    assert_eq!(claims.nbf, claims.iat - CLOCK_SKEW);
    assert_eq!(claims.jti, issued.jti);
    assert_eq!(claims.sid.as_deref(), Some("session-1"));
    assert_eq!(
        (claims.iss.as_str(), claims.aud.as_str()),
        (ISSUER, "frontend")
    );

    let later = chrono::Utc::now().timestamp() + 10_000;
    let claims = keys.verify(&keys.issue(&grant(600, Some(later))).expect("issue").token);
    assert_eq!(
        claims.map(|c| c.exp - c.iat),
        Some(600),
        "not_after beyond the lifetime"
    );

    let soon = chrono::Utc::now().timestamp() + 100;
    let issued = keys.issue(&grant(600, Some(soon))).expect("issue");
    let claims = keys.verify(&issued.token).expect("valid");
    assert_eq!(claims.exp, soon);
    assert_eq!(issued.expires_in, soon - claims.iat);
}

#[test]
fn a_token_without_a_session_carries_no_sid() {
    let keys = keys(&[new()]);
    let machine = AccessGrant {
        subject: "backoffice-sync",
        session_id: None,
        client_id: "backoffice-sync",
        scope: "customers:read",
        lifetime: 300,
        not_after: None,
    };
    let token = keys.issue(&machine).expect("issue").token;
    let (_, payload) = parts(&token);
    assert!(payload.get("sid").is_none(), "{payload}");
    let claims = keys.verify(&token).expect("valid");
    assert_eq!(
        (claims.sid, claims.client_id.as_str()),
        (None, "backoffice-sync")
    );
}
