//! The table of open connections the accept loop keeps, and which idle one it closes to make
//! room, so that sockets that send nothing cannot lock a scraper out.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How long a new connection is safe from being closed to make room: long enough for a
/// client to send its request, short enough that a pile of silent sockets drains quickly.
const NEW_CONNECTION_GRACE: Duration = Duration::from_millis(250);

/// One open connection, as the accept loop sees it.
#[derive(Debug)]
pub(super) struct Tracked {
    /// The key in [`Connections::open`]; later connections have larger ones.
    pub(super) id: u64,
    opened: Instant,
    /// Set once the connection has sent a whole request.
    served: AtomicBool,
    /// Requests of this connection being answered or waiting for a place.
    in_flight: AtomicUsize,
    /// Told to close, to make room for a new connection.
    pub(super) evict: Notify,
    /// [`Connections::room`], told when this connection's requests end.
    room: Arc<Notify>,
}

impl Tracked {
    fn new(id: u64, opened: Instant, room: Arc<Notify>) -> Self {
        Tracked { id, opened, served: AtomicBool::new(false), in_flight: AtomicUsize::new(0), evict: Notify::new(), room }
    }

    pub(super) fn begin_request(self: &Arc<Self>) -> Busy {
        self.served.store(true, Ordering::Release);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(self.clone())
    }

    pub(super) fn is_busy(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) > 0
    }

    pub(super) fn has_served(&self) -> bool {
        self.served.load(Ordering::Acquire)
    }

    /// When a connection that has not sent a request yet may be closed to make room.
    fn grace_ends(&self) -> Instant {
        self.opened + NEW_CONNECTION_GRACE
    }
}

/// Marks a connection busy while one of its requests is answered.
pub(super) struct Busy(Arc<Tracked>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.room.notify_one();
    }
}

/// The open connections, oldest first, and how many may be open.
pub(super) struct Connections {
    limit: usize,
    next_id: u64,
    open: BTreeMap<u64, Arc<Tracked>>,
    /// Told whenever a connection closes or finishes a request, which may make room. It keeps
    /// one notification for a waiter that comes later, so none is missed.
    pub(super) room: Arc<Notify>,
}

impl Connections {
    pub(super) fn new(limit: usize) -> Self {
        Connections { limit: limit.max(1), next_id: 0, open: BTreeMap::new(), room: Arc::default() }
    }

    /// Room for a new connection. When full, the least useful idle connection is told to
    /// close: one that never sent a whole request (a silent socket or a slow client) and has
    /// had [`NEW_CONNECTION_GRACE`] to do so, the oldest first, else a keep-alive connection
    /// between requests. When none can be closed: when one may be, if it is a matter of time,
    /// and otherwise [`Connections::room`] tells when to ask again.
    ///
    /// Closing an old idle connection rather than refusing the new one means that a pile of
    /// sockets that send nothing cannot lock a scraper out until the header timeout.
    pub(super) fn admit(&mut self, now: Instant) -> Result<Arc<Tracked>, Option<Instant>> {
        if self.open.len() >= self.limit {
            let idle = || self.open.values().filter(|t| !t.is_busy());
            let victim =
                idle().find(|t| !t.has_served() && t.grace_ends() <= now).or_else(|| idle().find(|t| t.has_served())).map(|t| t.id);
            let Some(victim) = victim else {
                return Err(idle().map(|t| t.grace_ends()).min());
            };
            if let Some(evicted) = self.open.remove(&victim) {
                evicted.evict.notify_one();
            }
        }
        let tracked = Arc::new(Tracked::new(self.next_id, now, self.room.clone()));
        self.next_id += 1;
        self.open.insert(tracked.id, tracked.clone());
        Ok(tracked)
    }

    pub(super) fn close(&mut self, id: u64) {
        self.open.remove(&id);
        self.room.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_table_closes_an_old_connection_that_never_sent_a_request_first() {
        let start = Instant::now();
        let later = start + NEW_CONNECTION_GRACE * 2;
        let mut connections = Connections::new(3);
        let keep_alive = connections.admit(start).unwrap();
        keep_alive.served.store(true, Ordering::Release);
        let silent = connections.admit(start).unwrap();
        let busy = connections.admit(start).unwrap();
        let _request = busy.begin_request();
        let newcomer = connections.admit(later).expect("room is made");
        assert_eq!(connections.open.keys().copied().collect::<Vec<_>>(), vec![keep_alive.id, busy.id, newcomer.id]);
        assert!(!connections.open.contains_key(&silent.id));
        let next = connections.admit(later).expect("the keep-alive connection makes room");
        assert!(!connections.open.contains_key(&keep_alive.id));
        assert_eq!(connections.admit(later).unwrap_err(), Some(next.grace_ends().min(newcomer.grace_ends())));
    }

    #[test]
    fn a_new_connection_gets_time_to_send_its_request() {
        let start = Instant::now();
        let mut connections = Connections::new(1);
        let first = connections.admit(start).unwrap();
        assert_eq!(connections.admit(start).unwrap_err(), Some(first.grace_ends()));
        assert!(connections.admit(first.grace_ends()).is_ok());
    }

    #[tokio::test]
    async fn a_full_table_of_busy_connections_has_no_room_until_a_request_ends() {
        let start = Instant::now() - NEW_CONNECTION_GRACE;
        let mut connections = Connections::new(2);
        let first = connections.admit(start).unwrap();
        let second = connections.admit(start).unwrap();
        let busy = (first.begin_request(), second.begin_request());
        assert_eq!(connections.admit(Instant::now()).unwrap_err(), None);
        drop(busy);
        let told = tokio::time::timeout(Duration::from_millis(100), connections.room.notified()).await;
        assert!(told.is_ok(), "the end of a request tells the accept loop");
        assert!(connections.admit(Instant::now()).is_ok(), "a connection between requests makes room");
    }
}
