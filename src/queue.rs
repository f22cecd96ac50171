//! A count of the work running or waiting for a place, with a bound past which new work is
//! turned away at once: a flood then costs a counter, not a queue that holds connections open.

use std::sync::atomic::{AtomicUsize, Ordering};

pub struct BoundedQueue {
    in_line: AtomicUsize,
    most: usize,
}

/// A place in the line, given back when dropped, however the work ends.
pub struct InLine<'a>(&'a AtomicUsize);

impl BoundedQueue {
    pub const fn new(most: usize) -> Self {
        BoundedQueue { in_line: AtomicUsize::new(0), most }
    }

    /// A place in the line, or `None` when `most` are already in it.
    pub fn join(&self) -> Option<InLine<'_>> {
        let ticket = InLine(&self.in_line);
        let before = self.in_line.fetch_add(1, Ordering::AcqRel);
        (before < self.most).then_some(ticket)
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_holds_at_most_its_bound_and_frees_places_on_drop() {
        let queue = BoundedQueue::new(2);
        let first = queue.join();
        let second = queue.join();
        assert!(first.is_some() && second.is_some());
        assert!(queue.join().is_none(), "a third is turned away");
        drop(first);
        assert!(queue.join().is_some(), "a place came free");
        assert_eq!(queue.in_line.load(Ordering::Acquire), 1);
    }
}
