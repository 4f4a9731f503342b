//! Sending an answer: the outbound message built from the request and the answer, the
//! quick in-process resends, and what a failed send leaves for the outbox (a later
//! attempt, or giving up with `EBMS:0301`). Kept apart from deciding, which happens once,
//! while sending may happen many times from the outbox.

use std::time::Duration;

use super::{Report, Service, ServiceError};
use crate::clock::edm_timestamp;
use crate::exchange::Answer;
use crate::gateway::ebms::{PartInfo, Property, UserMessage};
use crate::gateway::{GatewayError, OutboundMessage, Payload, Resend, Submitted};
use crate::store::{OutboxEntry, proof};

/// Quick in-process resends before the outbox takes over with longer pauses (not for a
/// gateway with its own retry schedule: each of its attempts counts).
const SUBMIT_ATTEMPTS: u32 = 3;
/// The ebMS error of a send whose retry schedule ran out.
const MISSING_RECEIPT: &str = "EBMS:0301";

impl Service {
    /// Sends what the outbox holds for `message_id`.
    pub(super) async fn send(
        &self,
        message_id: &str,
        entry: OutboxEntry,
        answer: Option<Answer>,
    ) -> Result<Option<Report>, ServiceError> {
        let outbound = OutboundMessage::from_outbox(&entry.message)?;
        tracing::Span::current()
            .record("conversation_id", outbound.header.conversation_id.as_str());
        self.send_decoded(message_id, entry, outbound, answer).await
    }

    /// Submits a decoded outbox entry and records the result: delivered (with the
    /// receipt as proof), deferred to the outbox, or given up.
    pub(super) async fn send_decoded(
        &self,
        message_id: &str,
        entry: OutboxEntry,
        outbound: OutboundMessage,
        answer: Option<Answer>,
    ) -> Result<Option<Report>, ServiceError> {
        let started = std::time::Instant::now();
        let span = tracing::info_span!("send", answer_id = %entry.answer_id, gateway = self.gateway.name());
        match tracing::Instrument::instrument(self.submit_with_retry(&outbound), span).await {
            Ok(Submitted {
                receipt: Some(receipt),
                ..
            }) => {
                // The proof of delivery, before the exchange counts as answered: if it
                // cannot be kept, the outbox sends the same bytes again and the peer's
                // next receipt is kept instead.
                self.exchange
                    .store
                    .append_journal(
                        &proof::delivery(message_id, &entry.answer_id, &receipt),
                        self.exchange.clock.now(),
                    )
                    .await?;
            }
            Ok(_) => {}
            Err(e) if e.is_duplicate() => {
                tracing::info!(message_id, answer_id = %entry.answer_id, "the access point already had the answer (sent before a restart)");
            }
            Err(e) => {
                let attempts = entry.attempts + 1;
                self.exchange.metrics.send_failed(e.code());
                let next = match self.gateway.resend(&outbound, attempts) {
                    Resend::Outbox => {
                        let max =
                            u64::from(self.exchange.config.exchange.max_backoff_seconds.max(1));
                        let pause = (1u64 << attempts.min(16)).min(max);
                        self.exchange.clock.now() + chrono::Duration::seconds(pause as i64)
                    }
                    Resend::After(pause) => {
                        self.exchange.clock.now()
                            + chrono::Duration::from_std(pause).unwrap_or(chrono::Duration::MAX)
                    }
                    Resend::GiveUp => {
                        tracing::error!(message_id, answer_id = %entry.answer_id, attempts, code = e.code(), error = %e, "EBMS:0301 MissingReceipt: every attempt of the retry schedule failed; the answer is not sent again");
                        self.exchange.metrics.send_given_up(MISSING_RECEIPT);
                        self.exchange
                            .store
                            .fail(message_id, &self.worker, MISSING_RECEIPT)
                            .await?;
                        return Ok(Some(Report {
                            message_id: message_id.to_owned(),
                            answer_id: None,
                            answer,
                            error: Some(format!(
                                "{MISSING_RECEIPT} MissingReceipt after {attempts} attempts: {e}"
                            )),
                        }));
                    }
                };
                tracing::warn!(message_id, answer_id = %entry.answer_id, attempts, code = e.code(), error = %e, "answer not sent; the outbox retries");
                self.exchange
                    .store
                    .defer(message_id, &self.worker, next, e.code())
                    .await?;
                return Ok(Some(Report {
                    message_id: message_id.to_owned(),
                    answer_id: None,
                    answer,
                    error: Some(e.to_string()),
                }));
            }
        }
        self.exchange
            .store
            .mark_answered(
                message_id,
                self.gateway.confirms_delivery(),
                self.exchange.clock.now(),
            )
            .await?;
        self.exchange.metrics.sent(started.elapsed());
        tracing::info!(
            message_id,
            answer_id = %entry.answer_id,
            action = %outbound.header.action,
            "answered"
        );
        Ok(Some(Report {
            message_id: message_id.to_owned(),
            answer_id: Some(entry.answer_id),
            answer,
            error: None,
        }))
    }

    /// The answer as an outbound message: the RegRep document and attachments as
    /// payloads, the ebMS header answering the request's.
    pub(super) fn outbound(&self, request: &UserMessage, answer: &Answer) -> OutboundMessage {
        let domain = &self.exchange.config.provider.domain;
        let ids = &self.exchange.ids;
        let regrep_cid = format!("{}@{domain}", ids.uuid());
        let mut payloads = vec![Payload {
            content_id: regrep_cid,
            mime_type: "application/x-ebrs+xml".to_owned(),
            bytes: answer.document.clone().into_bytes(),
        }];
        payloads.extend(answer.attachments.iter().map(|a| Payload {
            content_id: a.content_id.clone(),
            mime_type: a.mime_type.clone(),
            bytes: a.bytes.clone(),
        }));
        let parts = payloads
            .iter()
            .map(|p| PartInfo {
                href: format!("cid:{}", p.content_id),
                properties: vec![Property {
                    name: "MimeType".to_owned(),
                    value: p.mime_type.clone(),
                    property_type: None,
                }],
            })
            .collect();
        let header = request.answer_header(
            answer.action(),
            format!("{}@{domain}", ids.uuid()),
            edm_timestamp(self.exchange.clock.now()),
            parts,
        );
        OutboundMessage { header, payloads }
    }

    /// Submits with a few quick retries of transient errors (one attempt when the
    /// gateway has its own retry schedule).
    async fn submit_with_retry(&self, msg: &OutboundMessage) -> Result<Submitted, GatewayError> {
        let quick = if self.gateway.resend(msg, 0) == Resend::Outbox {
            SUBMIT_ATTEMPTS
        } else {
            1
        };
        let again = |e: &GatewayError, attempt: &crate::retry::Attempt| {
            let again = attempt.number < quick && e.is_transient() && !e.is_duplicate();
            if again {
                tracing::warn!(
                    attempt = attempt.number,
                    code = e.code(),
                    "submit failed, retrying"
                );
            }
            again
        };
        crate::retry::with_backoff(
            Duration::from_millis(200),
            |_: crate::retry::Attempt| self.gateway.submit_confirmed(msg),
            again,
        )
        .await
    }
}
