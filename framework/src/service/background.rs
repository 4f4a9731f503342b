//! What `serve` does beside answering messages: finding work (stored work that is due,
//! messages the access point still holds), recording deliveries, chaining the audit
//! journal and the retention purge. Each runs in its own task, so none of them holds up
//! the dispatch of newly received messages or each other.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::Service;

/// How many stored messages one sweep leases at most.
const SWEEP_BATCH: u32 = 256;
/// How many deliveries are recorded in one store write at most.
const DELIVERY_BATCH: usize = 512;
/// How often audit records written aside are moved into the hash chain.
const CHAIN_EVERY: Duration = Duration::from_millis(200);

/// The running background tasks of one `serve`.
pub(super) struct Duties {
    delivered: mpsc::UnboundedSender<String>,
    tasks: JoinSet<()>,
    stop: CancellationToken,
}

impl Duties {
    /// Starts the duties; message ids to work on are sent to `work`. `decided` fires
    /// when a preview user decided (a held follow-up can be answered now).
    pub(super) fn start(
        service: &Service,
        work: mpsc::UnboundedSender<String>,
        decided: mpsc::UnboundedReceiver<()>,
        shutdown: &CancellationToken,
    ) -> Self {
        let stop = shutdown.child_token();
        let mut tasks = JoinSet::new();
        tasks.spawn(find_work(service.clone(), work, decided, stop.clone()));
        let (delivered, deliveries) = mpsc::unbounded_channel();
        tasks.spawn(record_deliveries(service.clone(), deliveries));
        tasks.spawn(chain_journal(service.clone(), stop.clone()));
        tasks.spawn(purge(service.clone(), stop.clone()));
        tasks.spawn(checkpoints(service.clone(), stop.clone()));
        Self {
            delivered,
            tasks,
            stop,
        }
    }

    /// The access point reports answer `answer_id` delivered (Domibus `sendSuccess`).
    pub(super) fn delivered(&self, answer_id: String) {
        // The receiver lives until `stop`; nothing is lost before.
        let _ = self.delivered.send(answer_id);
    }

    /// Stops the periodic duties and records the deliveries already reported.
    pub(super) async fn stop(self) {
        let Self {
            delivered,
            mut tasks,
            stop,
        } = self;
        stop.cancel();
        drop(delivered);
        while tasks.join_next().await.is_some() {}
    }
}

fn every(period: Duration) -> Interval {
    let mut i = tokio::time::interval(period);
    i.set_missed_tick_behavior(MissedTickBehavior::Delay);
    i
}

/// Names work at start-up, then every `exchange.sweep_seconds`: stored work that is due
/// (messages not answered before a stop, outbox resends, a dead replica's leases, held
/// follow-ups whose user decided or whose deadline passed) and messages the access
/// point still holds (their push may have been lost while we were down).
async fn find_work(
    service: Service,
    work: mpsc::UnboundedSender<String>,
    mut decided: mpsc::UnboundedReceiver<()>,
    stop: CancellationToken,
) {
    let send = |ids: Vec<String>| ids.into_iter().all(|id| work.send(id).is_ok());
    send(due(&service).await);
    send(pending(&service).await);
    let mut sweep = every(Duration::from_secs(u64::from(service.sweep_seconds())));
    let mut deadlines = every(Duration::from_secs(u64::from(
        service.exchange.config.preview.recheck_seconds.max(1),
    )));
    // Both intervals tick at once when made; the start-up sweep above stands for that.
    sweep.tick().await;
    deadlines.tick().await;
    let mut decisions_open = true;
    loop {
        let ids = tokio::select! {
            _ = stop.cancelled() => return,
            d = decided.recv(), if decisions_open => {
                decisions_open = d.is_some();
                due(&service).await
            }
            _ = deadlines.tick() => due(&service).await,
            _ = sweep.tick() => {
                service.give_back_stranded().await;
                let mut ids = due(&service).await;
                ids.extend(pending(&service).await);
                ids
            }
        };
        if !send(ids) {
            return;
        }
    }
}

/// Leases stored work that is due.
async fn due(service: &Service) -> Vec<String> {
    let (lease_until, now) = service.lease();
    match service
        .exchange
        .store
        .due(&service.worker, lease_until, now, SWEEP_BATCH)
        .await
    {
        Ok(ids) => ids,
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "reading stored work failed");
            Vec::new()
        }
    }
}

/// Messages the access point still holds (a push may have been lost, or went to a
/// replica that died before storing them).
async fn pending(service: &Service) -> Vec<String> {
    match service.gateway.pending().await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(code = e.code(), error = %e, "sweep of pending messages failed");
            Vec::new()
        }
    }
}

/// Records deliveries, those reported meanwhile together in one store write; ends once
/// every sender is gone and all are recorded (or the store refused them one last time).
///
/// A confirmation the store does not take (an outage) is kept in memory, at most
/// [`MAX_UNRECORDED`], and written again with a growing pause until the store takes it:
/// the access point reports a delivery once, and without the record the exchange would
/// stay `answered` for good.
async fn record_deliveries(service: Service, mut deliveries: mpsc::UnboundedReceiver<String>) {
    let metrics = service.exchange.metrics.clone();
    let mut held = Unrecorded::default();
    let mut pause = RETRY_FIRST;
    let mut open = true;
    while open || !held.is_empty() {
        let mut fresh = Vec::with_capacity(DELIVERY_BATCH);
        if held.is_empty() {
            open = deliveries.recv_many(&mut fresh, DELIVERY_BATCH).await > 0;
        } else if open {
            // Retry after `pause`, or at once with what is reported meanwhile.
            tokio::select! {
                n = deliveries.recv_many(&mut fresh, DELIVERY_BATCH) => open = n > 0,
                () = tokio::time::sleep(pause) => {}
            }
        }
        let now = service.exchange.clock.now();
        let dropped = held.extend(fresh, now);
        if dropped > 0 {
            metrics.deliveries_dropped(dropped);
            tracing::error!(
                dropped,
                held = MAX_UNRECORDED,
                "delivery confirmations dropped while the state store is away: their exchanges stay answered"
            );
        }
        match held.write(service.exchange.store.as_ref()).await {
            Ok(()) => pause = RETRY_FIRST,
            Err(e) => {
                tracing::warn!(
                    code = e.code(),
                    held = held.len(),
                    retry_in_ms = pause.as_millis() as u64,
                    "cannot record deliveries; kept to retry"
                );
                if !open {
                    tracing::error!(
                        held = held.len(),
                        "stopping with delivery confirmations not recorded: their exchanges stay answered"
                    );
                    metrics.deliveries_unrecorded(held.len());
                    return;
                }
                pause = (pause * 2).min(RETRY_LAST);
            }
        }
        metrics.deliveries_unrecorded(held.len());
    }
}

/// Most delivery confirmations kept in memory while the store is away (a few MB).
const MAX_UNRECORDED: usize = 100_000;
/// First and longest pause between writes of confirmations the store refused.
const RETRY_FIRST: Duration = Duration::from_millis(500);
const RETRY_LAST: Duration = Duration::from_secs(15);

/// Delivery confirmations not yet in the store, oldest first, each with when it was
/// reported.
#[derive(Debug, Default)]
struct Unrecorded(std::collections::VecDeque<(String, chrono::DateTime<chrono::Utc>)>);

impl Unrecorded {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds `ids` reported at `at`; returns how many of the oldest were dropped to stay
    /// within [`MAX_UNRECORDED`].
    fn extend(&mut self, ids: Vec<String>, at: chrono::DateTime<chrono::Utc>) -> usize {
        self.0.extend(ids.into_iter().map(|id| (id, at)));
        let over = self.0.len().saturating_sub(MAX_UNRECORDED);
        self.0.drain(..over);
        over
    }

    /// Writes them oldest first, [`DELIVERY_BATCH`] at a time; what the store took is
    /// removed, the rest stays.
    async fn write(
        &mut self,
        store: &dyn crate::store::Store,
    ) -> Result<(), crate::store::StoreError> {
        while !self.0.is_empty() {
            let n = self.0.len().min(DELIVERY_BATCH);
            let (ids, at): (Vec<String>, Vec<_>) = self.0.range(..n).cloned().unzip();
            // Each was delivered by the time the newest of the batch was reported.
            let at = at.into_iter().max().unwrap_or_else(chrono::Utc::now);
            let recorded = store.acknowledge_answers(&ids, at).await?;
            tracing::debug!(reported = n, recorded, "answers delivered");
            self.0.drain(..n);
        }
        Ok(())
    }
}

/// Moves audit records written aside into the hash chain (PostgreSQL).
async fn chain_journal(service: Service, stop: CancellationToken) {
    let mut tick = every(CHAIN_EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = service.exchange.store.chain_journal().await {
            tracing::warn!(code = e.code(), error = %e, "audit records not chained yet");
        }
    }
}

/// Removes what the retention period no longer covers (`audit.retention_days`), every
/// `audit.purge_every_seconds`.
async fn purge(service: Service, stop: CancellationToken) {
    let audit = &service.exchange.config.audit;
    let mut tick = every(Duration::from_secs(audit.purge_every_seconds.max(1)));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = service.exchange.clock.now();
        let before = now - chrono::Duration::days(i64::from(audit.retention_days));
        match service.exchange.store.purge(before, now).await {
            Ok(r) => tracing::info!(
                journal = r.journal_entries,
                exchanges = r.exchanges,
                request_ids = r.request_ids,
                preview_links = r.preview_links,
                "retention purge"
            ),
            Err(e) => tracing::warn!(code = e.code(), error = %e, "retention purge failed"),
        }
    }
}

/// How often the checkpoint duty looks at the journal's head.
const CHECKPOINT_LOOK_EVERY: Duration = Duration::from_secs(5);

/// Signs the journal's head (docs/audit.md) at start, once `audit.checkpoint_every_records`
/// records were added or `audit.checkpoint_every_seconds` passed with records added, and
/// at shutdown; each checkpoint goes into the journal and to `audit.checkpoint_dir`.
async fn checkpoints(service: Service, stop: CancellationToken) {
    let store = &service.exchange.store;
    let audit = &service.exchange.config.audit;
    if !store.seals_journal() {
        tracing::warn!(
            code = "OEA-A0013",
            "the audit journal is not keyed (no audit.key): whoever can write the database can rewrite it undetected, and no checkpoints are signed (docs/audit.md)"
        );
        return;
    }
    let period = Duration::from_secs(audit.checkpoint_every_seconds.max(1));
    let mut tick = every(CHECKPOINT_LOOK_EVERY.min(period));
    // The head the last checkpoint covers (its own record included), and when.
    let mut last: Option<(i64, tokio::time::Instant)> = None;
    loop {
        let stopping = tokio::select! {
            _ = stop.cancelled() => true,
            _ = tick.tick() => false,
        };
        let head = match store.journal_head().await {
            Ok(h) => h.unwrap_or(0),
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "audit checkpoint: journal unreadable");
                if stopping {
                    return;
                }
                continue;
            }
        };
        let due = checkpoint_due(
            last.map(|(seq, at)| (seq, at.elapsed())),
            head,
            stopping,
            audit.checkpoint_every_records,
            period,
        );
        if due {
            match store.checkpoint(service.exchange.clock.now()).await {
                Ok(Some(cp)) => {
                    last = Some((cp.seq + 1, tokio::time::Instant::now()));
                    if let Some(dir) = &audit.checkpoint_dir
                        && let Err(e) = keep(dir, &cp)
                    {
                        tracing::warn!(code = "OEA-A0013", error = %e, dir = %dir.display(), "audit checkpoint not written to the checkpoint folder");
                    }
                    tracing::info!(seq = cp.seq, head = %cp.head, key_id = %cp.key_id, "audit checkpoint");
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(code = e.code(), error = %e, "audit checkpoint failed"),
            }
        } else if last.is_none() {
            last = Some((head, tokio::time::Instant::now()));
        }
        if stopping {
            return;
        }
    }
}

/// Whether to sign a checkpoint now: `last` is the head the previous one covered and how
/// long ago (none yet: at start), `head` the journal's head now.
fn checkpoint_due(
    last: Option<(i64, Duration)>,
    head: i64,
    stopping: bool,
    every_records: u64,
    every: Duration,
) -> bool {
    match last {
        None => head > 0,
        Some((seq, ago)) => {
            head > seq && (stopping || (head - seq) as u64 >= every_records.max(1) || ago >= every)
        }
    }
}

/// Writes `cp` as `checkpoint-<seq>.json` in `dir`, whole or not at all.
fn keep(dir: &std::path::Path, cp: &crate::store::Checkpoint) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name = format!("checkpoint-{:012}.json", cp.seq);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, format!("{}\n", cp.to_json()))?;
    std::fs::rename(&tmp, dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrecorded_confirmations_are_bounded_dropping_the_oldest() {
        let at = chrono::Utc::now();
        let mut held = Unrecorded::default();
        let ids = |r: std::ops::Range<usize>| r.map(|i| format!("a{i}")).collect::<Vec<_>>();
        assert_eq!(held.extend(ids(0..MAX_UNRECORDED - 1), at), 0);
        assert_eq!(
            held.extend(ids(MAX_UNRECORDED - 1..MAX_UNRECORDED + 2), at),
            2
        );
        assert_eq!(held.len(), MAX_UNRECORDED);
        assert_eq!(held.0.front().map(|(id, _)| id.as_str()), Some("a2"));
        assert_eq!(
            held.0.back().map(|(id, _)| id.clone()),
            Some(format!("a{}", MAX_UNRECORDED + 1))
        );
    }

    #[test]
    fn a_checkpoint_is_due_at_start_after_n_records_after_m_seconds_and_at_stop() {
        let m = Duration::from_secs(60);
        let s = Duration::from_secs;
        // At start, if there is anything to sign.
        assert!(checkpoint_due(None, 5, false, 10, m));
        assert!(!checkpoint_due(None, 0, false, 10, m));
        // Nothing added since the last one: never.
        assert!(!checkpoint_due(Some((5, s(999))), 5, true, 10, m));
        // Fewer than N records, less than M seconds: not yet.
        assert!(!checkpoint_due(Some((5, s(1))), 14, false, 10, m));
        // N records.
        assert!(checkpoint_due(Some((5, s(1))), 15, false, 10, m));
        // M seconds with records added.
        assert!(checkpoint_due(Some((5, s(60))), 6, false, 10, m));
        // At stop with records added.
        assert!(checkpoint_due(Some((5, s(1))), 6, true, 10, m));
    }
}
