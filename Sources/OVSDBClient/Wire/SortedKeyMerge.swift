/// One step of a walk over two sorted, duplicate-free key arrays in key order: a key only the
/// left holds, only the right holds, or both hold (with each side's index).
enum SortedKeyMergeStep {
    case left(Int)
    case right(Int)
    case both(Int, Int)
}

extension Array where Element == Atom {
    /// Walks `self` and `other` (both sorted and duplicate-free) together in key order, in
    /// O(n + m) comparisons. Equal atoms usually share their storage (a replica's new row is
    /// its old row with a few members changed), so `==` is tried first: it is cheaper than `<`.
    func mergeWalk(_ other: [Atom], _ body: (SortedKeyMergeStep) -> Void) {
        var i = 0
        var j = 0
        while i < count, j < other.count {
            if self[i] == other[j] {
                body(.both(i, j))
                i += 1
                j += 1
            } else if self[i] < other[j] {
                body(.left(i))
                i += 1
            } else {
                body(.right(j))
                j += 1
            }
        }
        while i < count { body(.left(i)); i += 1 }
        while j < other.count { body(.right(j)); j += 1 }
    }

    /// Where `key` is in this sorted array, or where it would go.
    func sortedPosition(of key: Atom) -> (index: Int, found: Bool) {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return (lo, lo < count && self[lo] == key)
    }
}
