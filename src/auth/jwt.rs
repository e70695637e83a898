//! HS256 access tokens. Only HS256 is accepted; `alg: none`, other algorithms, bad signatures,
//! expired or malformed tokens are all rejected.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::Role;

/// Lifetime of an access token.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Staff id, as a decimal string.
    pub sub: String,
    pub role: String,
    pub iat: i64,
    /// Issue time in microseconds: compared with the last password change, which may fall in
    /// the same second (`iat` has whole seconds only). Every token this server issues has it; a
    /// token without it is compared by `iat` in whole seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat_us: Option<i64>,
    pub exp: i64,
    pub jti: String,
}

/// Signing keys derived from the configured secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(..)")
    }
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// Issues an access token; returns it with its expiry.
    pub fn issue(
        &self,
        staff_id: i64,
        role: Role,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let exp = now + chrono::Duration::seconds(ACCESS_TOKEN_TTL_SECS);
        let claims = Claims {
            sub: staff_id.to_string(),
            role: role.as_str().to_owned(),
            iat: now.timestamp(),
            iat_us: Some(now.timestamp_micros()),
            exp: exp.timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, exp))
    }

    /// Verifies signature, algorithm and expiry; returns the claims or `None`.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

impl Claims {
    /// Whether the token was issued before `changed` (the last password change or reset).
    pub fn issued_before(&self, changed: DateTime<Utc>) -> bool {
        match self.iat_us {
            Some(us) => us < changed.timestamp_micros(),
            None => self.iat < changed.timestamp(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_own_key_only() {
        let keys = JwtKeys::new(&[7u8; 32]);
        let (token, _) = keys.issue(42, Role::Specialist, Utc::now()).expect("issue");
        let claims = keys.verify(&token).expect("valid");
        assert_eq!(claims.sub, "42");
        assert_eq!(claims.role, "SPECIALIST");
        assert!(JwtKeys::new(&[8u8; 32]).verify(&token).is_none());
    }

    #[test]
    fn an_expired_token_is_rejected() {
        let keys = JwtKeys::new(&[7u8; 32]);
        let past = Utc::now() - chrono::Duration::minutes(16);
        let (token, _) = keys.issue(1, Role::Director, past).expect("issue");
        assert!(keys.verify(&token).is_none());
    }
}
