//! Private notes are encrypted at rest: AES-256-GCM under a key kept
//! outside the database (`LADDER_NOTES_KEY`, or a key file beside the
//! data), so the database, its backups and anyone who reads them see only
//! ciphertext. A note is sealed as `v1:` and the hex of a random 96-bit
//! nonce followed by the ciphertext and tag; the meeting and author ids
//! are its associated data, so a sealed note moved to another meeting or
//! author does not open. A stored note without the `v1:` prefix is a
//! note written before encryption: it is read as it is and sealed at its
//! next save, or by `ladder notes rekey`.

use crate::AppError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use ladder_store::Id;

const PREFIX: &str = "v1:";

/// A 256-bit key. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct NoteKey([u8; 32]);

impl std::fmt::Debug for NoteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NoteKey(…)")
    }
}

impl Default for NoteKey {
    /// A fresh random key: for tests and a demo, whose notes need not
    /// outlive the process key.
    fn default() -> NoteKey {
        NoteKey::random().unwrap_or(NoteKey([7; 32]))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

fn aad(meeting: Id, author: Id) -> String {
    format!("ladder private note: meeting {meeting}, author {author}")
}

impl NoteKey {
    pub fn random() -> Result<NoteKey, AppError> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
        Ok(NoteKey(k))
    }

    /// A key written as 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Result<NoteKey, String> {
        let bytes = unhex(text.trim()).filter(|b| b.len() == 32).ok_or(
            "a notes key is 64 hexadecimal digits (32 bytes); make one with `ladder notes new-key`",
        )?;
        let mut k = [0u8; 32];
        k.copy_from_slice(&bytes);
        Ok(NoteKey(k))
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }

    /// `text` sealed for this meeting and author.
    pub fn seal(&self, meeting: Id, author: Id, text: &str) -> Result<String, AppError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce)
            .map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
        let aad = aad(meeting, author);
        let sealed = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: text.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| AppError::Internal("sealing a private note failed".to_owned()))?;
        Ok(format!("{PREFIX}{}{}", hex(&nonce), hex(&sealed)))
    }

    /// The text of a stored note: opened if sealed, as it is if written
    /// before encryption. A note sealed under another key, or moved, is an
    /// error that says so.
    pub fn open(&self, meeting: Id, author: Id, stored: &str) -> Result<String, AppError> {
        let Some(body) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let fail = || {
            AppError::Internal(format!(
                "the private note of meeting {meeting} by person {author} does not open with this \
                 notes key (was the key changed without `ladder notes rekey`?)"
            ))
        };
        let bytes = unhex(body).ok_or_else(fail)?;
        let (nonce, sealed) = bytes.split_at_checked(12).ok_or_else(fail)?;
        let aad = aad(meeting, author);
        let plain = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }

    /// Whether a stored note is sealed (not plain text from before).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_note_opens_only_with_its_key_meeting_and_author() {
        let k = NoteKey::random().unwrap();
        let sealed = k.seal(3, 9, "worried about the rota").unwrap();
        assert!(NoteKey::is_sealed(&sealed));
        assert!(!sealed.contains("rota"));
        assert_eq!(k.open(3, 9, &sealed).unwrap(), "worried about the rota");
        assert!(k.open(4, 9, &sealed).is_err(), "moved to another meeting");
        assert!(k.open(3, 8, &sealed).is_err(), "moved to another author");
        let other = NoteKey::random().unwrap();
        assert!(other.open(3, 9, &sealed).is_err(), "another key");
        // Two seals of one text differ (a fresh nonce each time).
        assert_ne!(k.seal(3, 9, "x").unwrap(), k.seal(3, 9, "x").unwrap());
        // A note from before encryption reads as it is.
        assert_eq!(k.open(3, 9, "plain").unwrap(), "plain");
        assert_eq!(NoteKey::from_hex(&k.to_hex()).unwrap().to_hex(), k.to_hex());
        assert!(NoteKey::from_hex("abc").is_err());
    }
}
