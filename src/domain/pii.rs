//! Masking of buyers' personal data for viewers without MEMBER_PII_VIEW.
//! Phones are kept encrypted (AES-256-GCM) with a keyed hash (HMAC-SHA256) for exact lookup.

/// Digits of a phone number, with a leading +86/86 country code dropped from 13-digit forms.
fn digits(phone: &str) -> String {
    let d: String = phone.chars().filter(char::is_ascii_digit).collect();
    match d.strip_prefix("86") {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest.to_owned(),
        _ => d,
    }
}

/// `138****5678` for an 11-digit mobile; other numbers keep their last 4 digits behind at least
/// 4 stars.
pub fn mask_phone(phone: &str) -> String {
    let d = digits(phone);
    if d.len() == 11 && d.starts_with('1') {
        return format!("{}****{}", &d[..3], &d[7..]);
    }
    let keep = d.len().min(4);
    let stars = (d.len() - keep).max(4);
    format!("{}{}", "*".repeat(stars), &d[d.len() - keep..])
}

/// Courier / export form: at least 6 digits hidden, `138******78`.
pub fn mask_phone_for_waybill(phone: &str) -> String {
    let d = digits(phone);
    if d.len() == 11 {
        return format!("{}******{}", &d[..3], &d[9..]);
    }
    let keep = d.len().saturating_sub(6).min(4);
    format!("{}{}", "*".repeat(d.len() - keep), &d[d.len() - keep..])
}

/// The canonical form used for matching (keyed hash input): digits, country code dropped.
pub fn normalise_phone(phone: &str) -> Option<String> {
    let d = digits(phone);
    (6..=15).contains(&d.len()).then_some(d)
}

const COMPOUND_SURNAMES: [&str; 18] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "端木", "南宫", "独孤", "轩辕",
];

/// Surname kept (two characters for compound surnames in names of three or more), every other
/// character `*`: `张*`, `张**`, `欧阳**`; a one-character name is `*`.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    if chars.len() <= 1 {
        return "*".repeat(chars.len().max(1));
    }
    let two: String = chars[..2].iter().collect();
    let keep = if chars.len() >= 3 && COMPOUND_SURNAMES.contains(&two.as_str()) {
        2
    } else {
        1
    };
    let kept: String = chars[..keep].iter().collect();
    format!("{kept}{}", "*".repeat(chars.len() - keep))
}

/// Encrypts buyers' personal data at rest and hashes it for exact lookup. Both keys derive from
/// one secret (configuration, or generated and kept in the database); it never prints itself.
#[derive(Clone)]
pub struct PiiCipher {
    cipher: aes_gcm::Aes256Gcm,
    hash_key: [u8; 32],
}

impl std::fmt::Debug for PiiCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PiiCipher(***)")
    }
}

/// A ciphertext that does not decrypt with this key.
#[derive(Debug, thiserror::Error)]
#[error("personal data does not decrypt with the configured key")]
pub struct UndecryptablePii;

impl PiiCipher {
    /// Derives the encryption and hashing keys from `secret`.
    pub fn new(secret: &[u8]) -> Self {
        use aes_gcm::KeyInit;
        use hmac::Mac;
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(secret)
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        let enc = derive(b"zhanggui pii encryption v1");
        Self {
            cipher: aes_gcm::Aes256Gcm::new(&enc.into()),
            hash_key: derive(b"zhanggui pii lookup v1"),
        }
    }

    /// `base64(nonce ‖ ciphertext)` of `plain`, with a fresh random nonce.
    pub fn encrypt(&self, plain: &str) -> String {
        use aes_gcm::aead::Aead;
        use base64::Engine;
        let nonce: [u8; 12] = rand::random();
        let sealed = self
            .cipher
            .encrypt(&nonce.into(), plain.as_bytes())
            .unwrap_or_else(|_| unreachable!("AES-GCM encryption of a short text cannot fail"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    /// The plain text of an [`encrypt`](Self::encrypt) result.
    pub fn decrypt(&self, sealed: &str) -> Result<String, UndecryptablePii> {
        use aes_gcm::aead::Aead;
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| UndecryptablePii)?;
        if bytes.len() < 12 {
            return Err(UndecryptablePii);
        }
        let (nonce, body) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| UndecryptablePii)?;
        let plain = self
            .cipher
            .decrypt(&nonce.into(), body)
            .map_err(|_| UndecryptablePii)?;
        String::from_utf8(plain).map_err(|_| UndecryptablePii)
    }

    /// Keyed hash (hex) of a normalised value, for exact lookup without decrypting.
    pub fn lookup_hash(&self, normalised: &str) -> String {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.hash_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(normalised.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// What is stored for a phone: `(cipher, hash, masked)`, or `None` when it is not a phone
    /// number.
    pub fn seal_phone(&self, phone: &str) -> Option<(String, String, String)> {
        let n = normalise_phone(phone)?;
        Some((self.encrypt(&n), self.lookup_hash(&n), mask_phone(&n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_round_trip_encrypted_and_hash_equal_only_under_one_key() {
        let a = PiiCipher::new(b"one secret of enough length for tests");
        let b = PiiCipher::new(b"another secret of enough length for tests");
        let (c1, h1, m) = a.seal_phone("+86 138-1234-5678").expect("a phone");
        let (c2, h2, _) = a.seal_phone("13812345678").expect("a phone");
        assert_ne!(c1, c2, "fresh nonce each time");
        assert!(!c1.contains("5678"));
        assert_eq!(h1, h2, "same number, same lookup hash");
        assert_eq!(m, "138****5678");
        assert_eq!(a.decrypt(&c1).expect("decrypts"), "13812345678");
        assert!(b.decrypt(&c1).is_err());
        assert_ne!(b.lookup_hash("13812345678"), h1);
        assert!(a.seal_phone("12").is_none());
    }

    #[test]
    fn phones_are_masked_as_the_reference_says() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+86 138-1234-5678"), "138****5678");
        assert_eq!(mask_phone("021-6288888"), "******8888");
        assert_eq!(mask_phone("12345"), "****2345");
        assert_eq!(mask_phone_for_waybill("13812345678"), "138******78");
        assert_eq!(
            normalise_phone("+86 13812345678").as_deref(),
            Some("13812345678")
        );
        assert_eq!(normalise_phone("123"), None);
    }

    #[test]
    fn names_keep_the_surname() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("欧阳"), "欧*");
        assert_eq!(mask_name("李"), "*");
    }
}
