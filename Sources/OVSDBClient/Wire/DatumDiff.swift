/// The `update2` difference between two values of a column (RFC 7047 as extended by Open
/// vSwitch's monitor_cond): the new value for scalars, the symmetric difference for sets,
/// and for maps the pairs added, removed (with their old value) or changed (with the new).
extension Datum {
    public func diff(to new: Datum, type: ColumnType) -> Datum {
        if type.isScalar { return new }
        if let oldValues = values, let newValues = new.values {
            var keys: [Atom] = []
            var vals: [Atom] = []
            for (k, v) in zip(self.keys, oldValues) where new.index(of: k) == nil {
                keys.append(k)
                vals.append(v)
            }
            for (i, k) in new.keys.enumerated() {
                if let j = index(of: k), oldValues[j] == newValues[i] { continue }
                keys.append(k)
                vals.append(newValues[i])
            }
            return Datum.resorted(keys: keys, values: vals)
        }
        let removed = keys.filter { !new.contains($0) }
        let added = new.keys.filter { !contains($0) }
        return Datum.resorted(keys: removed + added, values: nil)
    }

    /// Applies an `update2` diff; the result must fit `type`'s size limits.
    public func applying(diff: Datum, type: ColumnType) throws(OVSDBError) -> Datum {
        let result: Datum
        if type.isScalar {
            result = diff
        } else if var vals = values, let diffValues = diff.values {
            var keys = self.keys
            for (i, k) in diff.keys.enumerated() {
                if let j = keys.firstIndex(of: k) {
                    if vals[j] == diffValues[i] {
                        keys.remove(at: j)
                        vals.remove(at: j)
                    } else {
                        vals[j] = diffValues[i]
                    }
                } else {
                    keys.append(k)
                    vals.append(diffValues[i])
                }
            }
            result = Datum.resorted(keys: keys, values: vals)
        } else {
            let kept = keys.filter { !diff.contains($0) }
            let added = diff.keys.filter { !contains($0) }
            result = Datum.resorted(keys: kept + added, values: nil)
        }
        if result.count < type.min || result.count > type.maxCount {
            // Open vSwitch's own wording, typo included, so messages match.
            throw OVSDBError(tag: "ovsdb error", details: "Datum crated by diff has size error")
        }
        return result
    }
}

extension Datum {
    /// Applies a column's value from an `update2`/`update3` "modify". Open vSwitch sends the
    /// new value itself, not a difference, for every column of at most one element (scalars
    /// and optional values: `"a2"` after `"a1"`, `["set",[]]` when cleared), and a difference
    /// for larger sets and for maps.
    public func applyingUpdate2(_ value: Datum, type: ColumnType) throws(OVSDBError) -> Datum {
        if !type.isMap, type.max == 1 { return value }
        return try applying(diff: value, type: type)
    }
}
