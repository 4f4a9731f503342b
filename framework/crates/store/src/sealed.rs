//! An outgoing message as it was first sealed (signed, encrypted, packaged), kept with
//! the outbox: every attempt to send it, after a restart or from another replica too,
//! sends these bytes, so the MessageId never stands for two different signatures and a
//! late receipt still acknowledges what was sent.

/// The sealed bytes of one outgoing message.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedMessage {
    /// The HTTP `Content-Type` (`multipart/related` with its boundary).
    pub content_type: String,
    /// The HTTP body, byte for byte.
    pub body: Vec<u8>,
    /// What the signature covers, as the gateway writes it (JSON): a receipt must
    /// acknowledge each of these.
    pub references: String,
}

impl std::fmt::Debug for SealedMessage {
    // The body may carry the evidence unencrypted (a PMode without encryption).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedMessage")
            .field("content_type", &self.content_type)
            .field("len", &self.body.len())
            .finish_non_exhaustive()
    }
}
