//! The default resolver's address cache for one host and one record type, as
//! upstream keeps it: a "good" and a "failed connection" list, each ordered
//! from least to most recently used. Answers vend the least recently used
//! good address (which then becomes the most recent); a connection failure
//! moves an address to the failed list; each resolution refreshes the expiry
//! of good addresses it returns, adds new ones, culls expired ones (always
//! keeping one good address through an outage) and, when no good address is
//! left, promotes the least recently used live failed one back.
use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rec {
    pub address: Vec<u8>,
    pub expiry: u64,
    pub use_count: usize,
    pub failures: usize,
}

/// Least recently used at the front.
#[derive(Default, Debug)]
pub struct Lru {
    pub list: VecDeque<Rec>,
}

impl Lru {
    fn position(&self, address: &[u8]) -> Option<usize> {
        self.list.iter().position(|r| r.address == address)
    }

    /// Finds `address` and marks it most recently used.
    pub fn touch(&mut self, address: &[u8]) -> Option<&mut Rec> {
        let i = self.position(address)?;
        let r = self.list.remove(i)?;
        self.list.push_back(r);
        self.list.back_mut()
    }

    /// The least recently used record, which becomes the most recent.
    pub fn use_lru(&mut self) -> Option<&mut Rec> {
        let r = self.list.pop_front()?;
        self.list.push_back(r);
        self.list.back_mut()
    }

    pub fn remove(&mut self, address: &[u8]) -> Option<Rec> {
        let i = self.position(address)?;
        self.list.remove(i)
    }

    pub fn put(&mut self, r: Rec) {
        self.remove(&r.address);
        self.list.push_back(r);
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }
}

#[derive(Default, Debug)]
pub struct Family {
    pub good: Lru,
    pub failed: Lru,
}

impl Family {
    /// Records a resolution's `addresses`, expiring at `expiry`.
    pub fn update(&mut self, addresses: &[Vec<u8>], expiry: u64) {
        for a in addresses {
            if let Some(r) = self.good.touch(a) {
                r.expiry = expiry;
            } else if self.failed.touch(a).is_some() {
                // A failed address keeps its old expiry, so it ages out.
            } else {
                self.good.put(Rec {
                    address: a.clone(),
                    expiry,
                    use_count: 0,
                    failures: 0,
                });
            }
        }
    }

    /// After a resolution: culls expired records and promotes one failed one
    /// when no good one is left.
    pub fn process(&mut self, now: u64) {
        let count = self.good.len();
        let mut expired = 0;
        let mut i = 0;
        while i < count && expired + 1 < count {
            let r = self.good.use_lru().expect("counted");
            if r.expiry < now {
                let a = r.address.clone();
                self.good.remove(&a);
                expired += 1;
            }
            i += 1;
        }
        let mut promote = self.good.len() == 0;
        for _ in 0..self.failed.len() {
            let Some(r) = self.failed.use_lru().map(|r| r.clone()) else {
                break;
            };
            if now >= r.expiry {
                self.failed.remove(&r.address);
            } else if promote {
                self.failed.remove(&r.address);
                self.good.put(r);
                promote = false;
            }
        }
    }

    /// A connection to `address` failed: a good record moves to the failed list.
    pub fn record_failure(&mut self, address: &[u8]) {
        if let Some(mut r) = self.good.remove(address) {
            r.failures += 1;
            self.failed.put(r);
        } else if let Some(r) = self.failed.touch(address) {
            r.failures += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<u8> {
        s.as_bytes().to_vec()
    }

    #[test]
    fn vends_in_lru_order_and_culls_all_but_one() {
        let mut f = Family::default();
        f.update(&[v("a")], 10);
        f.update(&[v("b")], 20);
        assert_eq!(f.good.use_lru().unwrap().address, v("a"));
        assert_eq!(f.good.use_lru().unwrap().address, v("b"));
        f.process(15);
        assert_eq!(f.good.len(), 1);
        assert_eq!(f.good.list[0].address, v("b"));
        f.process(100);
        assert_eq!(f.good.len(), 1, "an outage keeps the last address");
    }

    #[test]
    fn failures_demote_and_promote_back() {
        let mut f = Family::default();
        f.update(&[v("a"), v("b")], 10);
        f.record_failure(b"a");
        assert_eq!(f.good.len(), 1);
        assert_eq!(f.failed.list[0].failures, 1);
        f.update(&[v("a")], 50);
        assert_eq!(f.failed.list[0].expiry, 10, "failed keeps its expiry");
        f.record_failure(b"b");
        f.process(5);
        assert_eq!(f.good.len(), 1, "one failed address promoted");
        f.process(20);
        assert_eq!(f.failed.len(), 0, "expired failed address dropped");
    }
}
