//! The heap of the wasm build: a size-class allocator, smaller and quicker than the
//! default (dlmalloc) for what this crate allocates — short strings and small
//! vectors per message, a few large texts (a presence state's frame).
//!
//! - Blocks up to 32 KiB come in 13 power-of-two classes (8 B … 32 KiB), each with
//!   its own free list threaded through the free blocks: allocating and freeing
//!   one is a few loads and stores.
//! - Classes are refilled from 4 KiB units cut from whole pages; a class of 4 KiB
//!   or less splits one unit into blocks of its size, so every block is aligned
//!   to its size (up to 4 KiB).
//! - Larger blocks are whole 64 KiB pages, taken first-fit from an address-ordered
//!   list of free spans that merges neighbours on free, else from new memory.
//!
//! Memory is never handed back (wasm memory cannot shrink); a freed block serves
//! the next allocation of its class, a freed span any allocation that fits it
//! (including new units). The logic is generic over where pages come from, so
//! it is tested natively over an ordinary buffer.
//!
//! Set as the global allocator of the wasm build by the default `heap` feature; an
//! application with its own global allocator turns the feature off.

use core::alloc::Layout;
use core::ptr;

/// Bytes of a wasm page: the unit in which memory grows.
pub const PAGE: usize = 64 * 1024;
/// The size classes cut from units are at most this large.
const UNIT: usize = 4096;
const MIN_CLASS: usize = 8;
/// The largest class: bigger blocks are whole pages.
const MAX_CLASS: usize = 32 * 1024;
/// How many classes: 13 (8 B … 32 KiB).
const CLASSES: usize = (MAX_CLASS / MIN_CLASS).trailing_zeros() as usize + 1;
/// The class of [`UNIT`]-sized blocks.
const UNIT_CLASS: usize = (UNIT / MIN_CLASS).trailing_zeros() as usize;

/// Where pages come from: `grow(n)` gives the address of `n` new contiguous,
/// page-aligned pages, or `None` when there is no more memory.
pub trait Pages {
    /// Adds `n` pages; their start address.
    fn grow(&mut self, n: usize) -> Option<usize>;
}

/// A free span of whole pages (its header lives in its first bytes).
struct Span {
    next: *mut Span,
    bytes: usize,
}

/// The allocator's state.
pub struct Heap<P> {
    /// One free list per class, threaded through the blocks' first word.
    free: [*mut u8; CLASSES],
    /// Units not yet handed out: `[next, end)`, unit-aligned.
    units: (usize, usize),
    /// Free page spans, by address.
    spans: *mut Span,
    pages: P,
}

/// The class of a layout, or `None` for a page-sized block.
fn class_of(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(MIN_CLASS);
    if size > MAX_CLASS || layout.align() > UNIT {
        return None;
    }
    let rounded = size.next_power_of_two();
    Some(rounded.trailing_zeros() as usize - MIN_CLASS.trailing_zeros() as usize)
}

const fn class_size(class: usize) -> usize {
    MIN_CLASS << class
}

/// `bytes` rounded up to whole pages.
fn page_bytes(bytes: usize) -> Option<usize> {
    bytes.max(1).checked_add(PAGE - 1).map(|b| b & !(PAGE - 1))
}

impl<P: Pages> Heap<P> {
    /// An empty heap over `pages`.
    pub const fn new(pages: P) -> Self {
        Heap { free: [ptr::null_mut(); CLASSES], units: (0, 0), spans: ptr::null_mut(), pages }
    }

    /// A block for `layout`, or null when memory is exhausted or the alignment
    /// is over a page.
    ///
    /// # Safety
    /// The heap owns the memory its `Pages` gave it; nothing else writes there.
    pub unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(class) => unsafe { self.alloc_class(class) },
            None if layout.align() <= PAGE => match page_bytes(layout.size()) {
                Some(bytes) => unsafe { self.take_span(bytes) },
                None => ptr::null_mut(),
            },
            None => ptr::null_mut(),
        }
    }

    /// Returns a block.
    ///
    /// # Safety
    /// `block` came from this heap's `alloc` (or `realloc`) with `layout`.
    pub unsafe fn dealloc(&mut self, block: *mut u8, layout: Layout) {
        match class_of(layout) {
            Some(class) => unsafe { self.push_free(class, block) },
            None => {
                if let Some(bytes) = page_bytes(layout.size()) {
                    unsafe { self.free_span(block as usize, bytes) }
                }
            }
        }
    }

    /// Resizes a block: the same block when its class (or page count) does not
    /// change, else a new one with the contents copied.
    ///
    /// # Safety
    /// As [`Heap::dealloc`]; `new_size`, rounded up to `layout.align()`, does not overflow.
    pub unsafe fn realloc(&mut self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else { return ptr::null_mut() };
        let same = match (class_of(layout), class_of(new_layout)) {
            (Some(a), Some(b)) => a == b,
            (None, None) => page_bytes(layout.size()) == page_bytes(new_size),
            _ => false,
        };
        if same {
            return block;
        }
        let fresh = unsafe { self.alloc(new_layout) };
        if !fresh.is_null() {
            unsafe {
                ptr::copy_nonoverlapping(block, fresh, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
        }
        fresh
    }

    unsafe fn push_free(&mut self, class: usize, block: *mut u8) {
        unsafe { (block as *mut *mut u8).write(self.free[class]) };
        self.free[class] = block;
    }

    unsafe fn alloc_class(&mut self, class: usize) -> *mut u8 {
        let head = self.free[class];
        if !head.is_null() {
            self.free[class] = unsafe { (head as *mut *mut u8).read() };
            return head;
        }
        let size = class_size(class);
        let Some(start) = (unsafe { self.take_units(size.max(UNIT)) }) else { return ptr::null_mut() };
        // a unit split into blocks of this class: the first is returned, the rest freed
        let mut at = start + size;
        while at < start + UNIT {
            unsafe { self.push_free(class, at as *mut u8) };
            at += size;
        }
        start as *mut u8
    }

    /// `bytes` (a multiple of [`UNIT`], at most a page) of contiguous units.
    unsafe fn take_units(&mut self, bytes: usize) -> Option<usize> {
        let (next, end) = self.units;
        if end - next < bytes {
            // what is left of the old region serves the 4 KiB class
            let mut at = next;
            while at < end {
                unsafe { self.push_free(UNIT_CLASS, at as *mut u8) };
                at += UNIT;
            }
            let fresh = unsafe { self.take_span(PAGE) };
            if fresh.is_null() {
                self.units = (0, 0);
                return None;
            }
            self.units = (fresh as usize, fresh as usize + PAGE);
        }
        let start = self.units.0;
        self.units.0 += bytes;
        Some(start)
    }

    /// `bytes` (whole pages) from the first free span that holds them, else new memory.
    unsafe fn take_span(&mut self, bytes: usize) -> *mut u8 {
        let mut link: *mut *mut Span = &mut self.spans;
        unsafe {
            while !(*link).is_null() {
                let span = *link;
                if (*span).bytes >= bytes {
                    let rest = (*span).bytes - bytes;
                    if rest == 0 {
                        *link = (*span).next;
                    } else {
                        // the front is handed out; the rest stays in the list, in place
                        let tail = (span as usize + bytes) as *mut Span;
                        tail.write(Span { next: (*span).next, bytes: rest });
                        *link = tail;
                    }
                    return span as *mut u8;
                }
                link = &mut (*span).next;
            }
        }
        match self.pages.grow(bytes / PAGE) {
            Some(addr) => addr as *mut u8,
            None => ptr::null_mut(),
        }
    }

    /// Puts a span back in address order, merged with free neighbours.
    unsafe fn free_span(&mut self, addr: usize, bytes: usize) {
        let mut prev: *mut Span = ptr::null_mut();
        let mut next = self.spans;
        unsafe {
            while !next.is_null() && (next as usize) < addr {
                prev = next;
                next = (*next).next;
            }
            let span = addr as *mut Span;
            span.write(Span { next, bytes });
            if !next.is_null() && addr + bytes == next as usize {
                (*span).bytes += (*next).bytes;
                (*span).next = (*next).next;
            }
            if prev.is_null() {
                self.spans = span;
            } else if prev as usize + (*prev).bytes == addr {
                (*prev).bytes += (*span).bytes;
                (*prev).next = (*span).next;
            } else {
                (*prev).next = span;
            }
        }
    }
}

// single-threaded wasm only: a build with threads (the `atomics` feature) keeps the default
#[cfg(all(target_arch = "wasm32", feature = "heap", not(target_feature = "atomics")))]
mod global {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    use super::{Heap, Pages, PAGE};

    /// Pages from `memory.grow`.
    struct Memory;

    impl Pages for Memory {
        fn grow(&mut self, n: usize) -> Option<usize> {
            let before = core::arch::wasm32::memory_grow(0, n);
            (before != usize::MAX).then(|| before * PAGE)
        }
    }

    struct Global(UnsafeCell<Heap<Memory>>);

    // SAFETY: the wasm build is single-threaded (no `atomics` target feature).
    unsafe impl Sync for Global {}

    // SAFETY: each call has the heap to itself (one thread; the heap never calls
    // back into the allocator), and the heap's blocks honour size and alignment.
    unsafe impl GlobalAlloc for Global {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { (*self.0.get()).alloc(layout) }
        }
        unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
            unsafe { (*self.0.get()).dealloc(block, layout) }
        }
        unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            unsafe { (*self.0.get()).realloc(block, layout, new_size) }
        }
    }

    #[global_allocator]
    static HEAP: Global = Global(UnsafeCell::new(Heap::new(Memory)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages from an ordinary buffer, as `memory.grow` gives them.
    struct Arena {
        _buf: Vec<u8>,
        base: usize,
        used: usize,
        limit: usize,
    }

    impl Arena {
        fn new(limit_pages: usize) -> Self {
            let buf = vec![0u8; (limit_pages + 1) * PAGE];
            let base = (buf.as_ptr() as usize + PAGE - 1) & !(PAGE - 1);
            Arena { _buf: buf, base, used: 0, limit: limit_pages }
        }
    }

    impl Pages for &mut Arena {
        fn grow(&mut self, n: usize) -> Option<usize> {
            if self.used + n > self.limit {
                return None;
            }
            let at = self.base + self.used * PAGE;
            self.used += n;
            Some(at)
        }
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    /// A small deterministic generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    #[test]
    fn classes_cover_sizes_and_alignments() {
        assert_eq!(class_of(layout(1, 1)), Some(0));
        assert_eq!(class_of(layout(8, 8)), Some(0));
        assert_eq!(class_of(layout(9, 1)), Some(1));
        assert_eq!(class_of(layout(3, 16)), Some(1), "alignment counts as size");
        assert_eq!(class_of(layout(4096, 1)), Some(UNIT_CLASS));
        assert_eq!(class_of(layout(32 * 1024, 1)), Some(12));
        assert_eq!(class_of(layout(32 * 1024 + 1, 1)), None);
        assert_eq!(class_of(layout(64, 8192)), None, "over a unit's alignment: pages");
    }

    #[test]
    fn random_blocks_never_overlap_keep_their_bytes_and_are_aligned() {
        let mut arena = Arena::new(1024);
        let mut heap = Heap::new(&mut arena);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        for step in 0..40_000u32 {
            let roll = rng.below(100);
            if (roll < 50 && live.len() < 400) || live.is_empty() {
                let size = match rng.below(10) {
                    0 => 1 + rng.below(200_000) as usize,
                    1..=2 => 1 + rng.below(40_000) as usize,
                    _ => 1 + rng.below(300) as usize,
                };
                let align = 1usize << rng.below(5);
                let l = layout(size, align);
                let p = unsafe { heap.alloc(l) };
                assert!(!p.is_null(), "step {step}: {size} bytes");
                assert_eq!(p as usize % align, 0, "aligned to {align}");
                let fill = step as u8;
                unsafe { ptr::write_bytes(p, fill, size) };
                live.push((p, l, fill));
            } else if roll < 80 {
                let (p, l, fill) = live.swap_remove(rng.below(live.len() as u64) as usize);
                let bytes = unsafe { core::slice::from_raw_parts(p, l.size()) };
                assert!(bytes.iter().all(|&b| b == fill), "step {step}: a block was overwritten");
                unsafe { heap.dealloc(p, l) };
            } else {
                let i = rng.below(live.len() as u64) as usize;
                let (p, l, fill) = live[i];
                let most = if rng.below(8) == 0 { 150_000 } else { 2_000 };
                let new_size = 1 + rng.below(most) as usize;
                let q = unsafe { heap.realloc(p, l, new_size) };
                assert!(!q.is_null());
                let kept = l.size().min(new_size);
                let bytes = unsafe { core::slice::from_raw_parts(q, kept) };
                assert!(bytes.iter().all(|&b| b == fill), "step {step}: realloc kept the contents");
                assert_eq!(q as usize % l.align(), 0);
                unsafe { ptr::write_bytes(q, fill, new_size) };
                live[i] = (q, layout(new_size, l.align()), fill);
            }
            if step % 4096 == 0 {
                let mut spans: Vec<(usize, usize)> = live.iter().map(|(p, l, _)| (*p as usize, l.size())).collect();
                spans.sort();
                for w in spans.windows(2) {
                    assert!(w[0].0 + w[0].1 <= w[1].0, "step {step}: blocks overlap");
                }
            }
        }
        for (p, l, fill) in live.drain(..) {
            assert!(unsafe { core::slice::from_raw_parts(p, l.size()) }.iter().all(|&b| b == fill));
            unsafe { heap.dealloc(p, l) };
        }
    }

    #[test]
    fn freed_blocks_and_spans_are_reused_before_memory_grows() {
        let mut arena = Arena::new(64);
        let mut heap = Heap::new(&mut arena);
        let small = layout(100, 8);
        let a = unsafe { heap.alloc(small) };
        unsafe { heap.dealloc(a, small) };
        assert_eq!(unsafe { heap.alloc(small) }, a, "a freed block is the next of its class");
        // a growing large text, as a Vec doubles: freed spans merge and serve the next
        let mut l = layout(100_000, 1);
        let mut p = unsafe { heap.alloc(l) };
        for size in [200_000, 400_000, 800_000] {
            p = unsafe { heap.realloc(p, l, size) };
            assert!(!p.is_null(), "{size} bytes fit in 64 pages with spans merged");
            l = layout(size, 1);
        }
        unsafe { heap.dealloc(p, l) };
        let used = heap.pages.used;
        // larger than any one of the freed spans (13 pages at most), not than all
        let big = layout(20 * PAGE, 1);
        let q = unsafe { heap.alloc(big) };
        assert!(!q.is_null());
        assert_eq!(heap.pages.used, used, "served from merged free spans, not new memory");
    }

    #[test]
    fn exhausted_memory_and_huge_alignment_give_null_not_a_panic() {
        let mut arena = Arena::new(2);
        let mut heap = Heap::new(&mut arena);
        assert!(unsafe { heap.alloc(layout(3 * PAGE, 1)) }.is_null());
        assert!(unsafe { heap.alloc(layout(8, 2 * PAGE)) }.is_null());
        let p = unsafe { heap.alloc(layout(PAGE, 1)) };
        assert!(!p.is_null());
        let q = unsafe { heap.realloc(p, layout(PAGE, 1), 5 * PAGE) };
        assert!(q.is_null(), "no room to grow into");
    }
}
