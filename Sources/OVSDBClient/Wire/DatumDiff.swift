/// The `update2` difference between two values of a column (RFC 7047 as extended by Open
/// vSwitch's monitor_cond): the new value for scalars, the symmetric difference for sets,
/// and for maps the pairs added, removed (with their old value) or changed (with the new).
/// Both directions walk the sorted keys once: a replica applies a one-member change to a
/// 100,000-member address set in every pod's pass, so nothing here may sort or scan per key.
extension Datum {
    public func diff(to new: Datum, type: ColumnType) -> Datum {
        if type.isScalar { return new }
        let oldKeys = keys, newKeys = new.keys
        var outKeys: [Atom] = []
        guard let oldValues = values, let newValues = new.values else {
            oldKeys.mergeWalk(newKeys) { step in
                switch step {
                case .left(let i): outKeys.append(oldKeys[i])
                case .right(let j): outKeys.append(newKeys[j])
                case .both: break
                }
            }
            return Datum(sortedKeys: outKeys)
        }
        var outValues: [Atom] = []
        oldKeys.mergeWalk(newKeys) { step in
            switch step {
            case .left(let i):
                outKeys.append(oldKeys[i])
                outValues.append(oldValues[i])
            case .right(let j):
                outKeys.append(newKeys[j])
                outValues.append(newValues[j])
            case .both(let i, let j) where oldValues[i] != newValues[j]:
                outKeys.append(newKeys[j])
                outValues.append(newValues[j])
            case .both:
                break
            }
        }
        return Datum(sortedKeys: outKeys, values: outValues)
    }

    /// The keys only this value holds and the keys only `other` holds, each in order.
    public func keysDiffering(from other: Datum) -> (onlyHere: [Atom], onlyThere: [Atom]) {
        let mine = keys, theirs = other.keys
        var here: [Atom] = []
        var there: [Atom] = []
        mine.mergeWalk(theirs) { step in
            switch step {
            case .left(let i): here.append(mine[i])
            case .right(let j): there.append(theirs[j])
            case .both: break
            }
        }
        return (here, there)
    }

    /// Applies an `update2` diff; the result must fit `type`'s size limits.
    public func applying(diff: Datum, type: ColumnType) throws(OVSDBError) -> Datum {
        let result = type.isScalar ? diff : applyingSetOrMapDiff(diff)
        if result.count < type.min || result.count > type.maxCount {
            // Open vSwitch's own wording, typo included, so messages match.
            throw OVSDBError(tag: "ovsdb error", details: "Datum crated by diff has size error")
        }
        return result
    }

    /// A key of the diff that this value holds leaves it (for a map, unless the diff gives it
    /// a new value); any other key joins it.
    private func applyingSetOrMapDiff(_ diff: Datum) -> Datum {
        // A map's pairs only when both sides are maps; otherwise keys alone, as a set.
        let isMap = values != nil && diff.values != nil
        var outKeys = keys
        var outValues = isMap ? values : nil
        let diffKeys = diff.keys, diffValues = isMap ? diff.values : nil
        // A few changes to a large value: edit a copy in place (a binary search and a move of
        // the tail each). Past a handful, the moves cost more than one walk of both.
        if diffKeys.count <= 8, diffKeys.count * 32 <= outKeys.count {
            for (j, key) in diffKeys.enumerated() {
                let (i, found) = outKeys.sortedPosition(of: key)
                if !found {
                    outKeys.insert(key, at: i)
                    if let diffValues { outValues?.insert(diffValues[j], at: i) }
                } else if let diffValues, let current = outValues?[i], current != diffValues[j] {
                    outValues![i] = diffValues[j]
                } else {
                    outKeys.remove(at: i)
                    outValues?.remove(at: i)
                }
            }
            return Datum(sortedKeys: outKeys, values: outValues)
        }
        let oldKeys = outKeys, oldValues = outValues
        outKeys = []
        outValues = oldValues == nil ? nil : []
        oldKeys.mergeWalk(diffKeys) { step in
            switch step {
            case .left(let i):
                outKeys.append(oldKeys[i])
                if let oldValues { outValues!.append(oldValues[i]) }
            case .right(let j):
                outKeys.append(diffKeys[j])
                if let diffValues { outValues!.append(diffValues[j]) }
            case .both(let i, let j):
                if let oldValues, let diffValues, oldValues[i] != diffValues[j] {
                    outKeys.append(diffKeys[j])
                    outValues!.append(diffValues[j])
                }
            }
        }
        return Datum(sortedKeys: outKeys, values: outValues)
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
