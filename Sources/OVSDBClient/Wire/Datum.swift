/// A column value: a set of atoms, or a map from atoms to atoms, always sorted by key with no
/// duplicate keys. A scalar is a set of one.
public struct Datum: Sendable, Hashable {
    /// A set of one atom, the most common value by far, is held inline: a replica of 100,000
    /// rows would otherwise spend an array allocation on each scalar column of each row.
    /// Each value has exactly one form (a set of one is always `.one`), so equality and
    /// hashing can compare the storage.
    private enum Storage: Sendable, Hashable {
        case one(Atom)
        case set([Atom])
        case map(keys: [Atom], values: [Atom])
    }

    private var storage: Storage

    /// Keys already sorted and unique (no check).
    @usableFromInline init(sortedKeys: [Atom], values: [Atom]? = nil) {
        if let values {
            storage = .map(keys: sortedKeys, values: values)
        } else if sortedKeys.count == 1 {
            storage = .one(sortedKeys[0])
        } else {
            storage = .set(sortedKeys)
        }
    }

    /// The atoms of a set, or the keys of a map, in order.
    public var keys: [Atom] {
        switch storage {
        case .one(let a): return [a]
        case .set(let k), .map(let k, _): return k
        }
    }

    /// Present for maps, parallel to `keys`.
    public var values: [Atom]? {
        if case .map(_, let v) = storage { return v }
        return nil
    }

    /// The first (for a scalar, the only) key, without building `keys`.
    public var first: Atom? {
        switch storage {
        case .one(let a): return a
        case .set(let k), .map(let k, _): return k.first
        }
    }

    public static func scalar(_ atom: Atom) -> Datum { Datum(storage: .one(atom)) }

    private init(storage: Storage) { self.storage = storage }
    public static let emptySet = Datum(sortedKeys: [])
    public static let emptyMap = Datum(sortedKeys: [], values: [])

    /// A set; duplicates are an error.
    public static func set(_ atoms: [Atom]) throws(OVSDBError) -> Datum {
        let sorted = atoms.sorted()
        for i in sorted.indices.dropFirst() where sorted[i - 1] == sorted[i] {
            throw OVSDBError(tag: "ovsdb error", details: "set contains duplicate")
        }
        return Datum(sortedKeys: sorted)
    }

    /// A map; duplicate keys are an error.
    public static func map(_ pairs: [(Atom, Atom)]) throws(OVSDBError) -> Datum {
        let sorted = pairs.sorted { $0.0 < $1.0 }
        for i in sorted.indices.dropFirst() where sorted[i - 1].0 == sorted[i].0 {
            throw OVSDBError(tag: "ovsdb error", details: "map contains duplicate key")
        }
        return Datum(sortedKeys: sorted.map(\.0), values: sorted.map(\.1))
    }

    /// A string-to-string map, the common `external_ids` / `options` shape.
    public static func stringMap(_ dictionary: [String: String]) -> Datum {
        let keys = dictionary.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return Datum(sortedKeys: keys.map { .string($0) }, values: keys.map { .string(dictionary[$0]!) })
    }

    public var isMap: Bool {
        if case .map = storage { return true }
        return false
    }

    public var count: Int {
        switch storage {
        case .one: return 1
        case .set(let k), .map(let k, _): return k.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// The default value of a column of `type`: empty, or one default atom (and value).
    public static func defaultValue(for type: ColumnType) -> Datum {
        if type.min == 0 { return type.isMap ? emptyMap : emptySet }
        return Datum(sortedKeys: [type.key.type.defaultAtom], values: type.value.map { [$0.type.defaultAtom] })
    }

    public var pairs: [(key: Atom, value: Atom)] {
        guard let values else { return [] }
        return Array(zip(keys, values)).map { (key: $0.0, value: $0.1) }
    }

    public subscript(key: Atom) -> Atom? {
        guard let values, let i = index(of: key) else { return nil }
        return values[i]
    }

    public func contains(_ key: Atom) -> Bool { index(of: key) != nil }

    func index(of key: Atom) -> Int? {
        switch storage {
        case .one(let a): return a == key ? 0 : nil
        case .set(let k), .map(let k, _):
            let (i, found) = k.sortedPosition(of: key)
            return found ? i : nil
        }
    }

    /// Reads a datum of `type` (RFC 7047 `<value>`), checking sizes and constraints.
    public init(json: JSON, type: ColumnType, allowNamedUUID: Bool = false) throws(OVSDBError) {
        if type.isMap || Self.isTagged(json, "set") {
            let kind = type.isMap ? "map" : "set"
            guard case .array(let outer) = json, outer.count == 2, outer[0] == .string(kind),
                  case .array(let elements) = outer[1] else {
                throw .syntaxError(json, "[\"\(kind)\", <array>] expected")
            }
            if elements.count < type.min || elements.count > type.maxCount {
                if type.min == 1, type.max == 1 {
                    throw .syntaxError(json, "\(kind) must have exactly one member but \(elements.count) are present")
                }
                throw .syntaxError(json, "\(kind) must have \(type.min) to \(type.maxCount) members but \(elements.count) are present")
            }
            if let valueType = type.value {
                var pairs: [(Atom, Atom)] = []
                pairs.reserveCapacity(elements.count)
                for element in elements {
                    guard case .array(let pair) = element, pair.count == 2 else {
                        throw .syntaxError(element, "expected 2-element array")
                    }
                    pairs.append((try Atom(json: pair[0], base: type.key, allowNamedUUID: allowNamedUUID),
                                  try Atom(json: pair[1], base: valueType, allowNamedUUID: allowNamedUUID)))
                }
                self = try .map(pairs)
            } else {
                var atoms: [Atom] = []
                atoms.reserveCapacity(elements.count)
                for element in elements {
                    atoms.append(try Atom(json: element, base: type.key, allowNamedUUID: allowNamedUUID))
                }
                self = try .set(atoms)
            }
        } else {
            self = .scalar(try Atom(json: json, base: type.key, allowNamedUUID: allowNamedUUID))
        }
    }

    private static func isTagged(_ json: JSON, _ tag: String) -> Bool {
        if case .array(let a) = json, a.count >= 1, a[0] == .string(tag) { return true }
        return false
    }

    /// RFC 7047 form: a bare atom for one-element sets, `["set", ...]`, or `["map", ...]`.
    public var json: JSON {
        if let values {
            return .array(["map", .array(zip(keys, values).map { .array([$0.json, $1.json]) })])
        }
        if case .one(let a) = storage { return a.json }
        return .array(["set", .array(keys.map(\.json))])
    }

    /// Checks size and element constraints against `type` (after a mutation, say).
    public func check(_ type: ColumnType) throws(OVSDBError) {
        if count < type.min || count > type.maxCount {
            let kind = type.isMap ? "map" : "set"
            throw .constraint("\(kind) must have \(type.min) to \(type.maxCount) members but \(count) are present")
        }
        if case .one(let a) = storage {
            try a.check(type.key)
            return
        }
        for k in keys { try k.check(type.key) }
        if let values, let vt = type.value { for v in values { try v.check(vt) } }
    }

    /// ovs-vsctl string form: `[a, b]`, `{k=v}`, or a bare atom for a one-element scalar.
    public func text(for type: ColumnType) -> String {
        let keys = self.keys
        if let values {
            if type.maxCount == 1, keys.count == 1 { return "\(keys[0].text)=\(values[0].text)" }
            return "{" + zip(keys, values).map { "\($0.text)=\($1.text)" }.joined(separator: ", ") + "}"
        }
        if type.maxCount == 1, keys.count == 1 { return keys[0].text }
        return "[" + keys.map(\.text).joined(separator: ", ") + "]"
    }

    // MARK: set algebra used by mutations and conditions

    /// True when every key (and for maps, pair) of `other` is in self.
    public func includes(_ other: Datum) -> Bool {
        for (i, k) in other.keys.enumerated() {
            guard let j = index(of: k) else { return false }
            if let ov = other.values, let sv = values, ov[i] != sv[j] { return false }
        }
        return true
    }

    /// True when no key (for maps, pair) of `other` is in self.
    public func excludes(_ other: Datum) -> Bool {
        for (i, k) in other.keys.enumerated() {
            if let j = index(of: k) {
                if let ov = other.values, let sv = values {
                    if ov[i] == sv[j] { return false }
                } else {
                    return false
                }
            }
        }
        return true
    }

    /// Adds the elements of `other` whose keys are not present yet.
    public func union(_ other: Datum) -> Datum {
        var k = keys
        var v = values
        for (i, key) in other.keys.enumerated() where index(of: key) == nil {
            k.append(key)
            v?.append(other.values?[i] ?? key)
        }
        return Datum.resorted(keys: k, values: v)
    }

    /// Removes keys in `other`; for a map `other`, only pairs that match exactly.
    public func subtracting(_ other: Datum, matchValues: Bool) -> Datum {
        var k: [Atom] = []
        var v: [Atom]? = values == nil ? nil : []
        for (i, key) in keys.enumerated() {
            if let j = other.index(of: key) {
                if !matchValues { continue }
                if let ov = other.values, let sv = values, ov[j] == sv[i] { continue }
                if other.values == nil { continue }
            }
            k.append(key)
            v?.append(values![i])
        }
        return Datum(sortedKeys: k, values: v)
    }

    static func resorted(keys: [Atom], values: [Atom]?) -> Datum {
        if let values {
            let pairs = zip(keys, values).sorted { $0.0 < $1.0 }
            return Datum(sortedKeys: pairs.map(\.0), values: pairs.map(\.1))
        }
        return Datum(sortedKeys: keys.sorted())
    }

    /// Applies `transform` to every key (arithmetic mutations on sets of numbers).
    func mapKeys(_ transform: (Atom) throws(OVSDBError) -> Atom) throws(OVSDBError) -> Datum {
        var out: [Atom] = []
        out.reserveCapacity(keys.count)
        for k in keys { out.append(try transform(k)) }
        return Datum.resorted(keys: out, values: values)
    }
}

extension Datum: Comparable {
    /// Open vSwitch's datum order: by count, then keys, then values.
    public static func < (a: Datum, b: Datum) -> Bool {
        if a.count != b.count { return a.count < b.count }
        if case .one(let x) = a.storage, case .one(let y) = b.storage { return x < y }
        let ak = a.keys
        let bk = b.keys
        for i in ak.indices where ak[i] != bk[i] { return ak[i] < bk[i] }
        if let av = a.values, let bv = b.values {
            for i in av.indices where av[i] != bv[i] { return av[i] < bv[i] }
        }
        return false
    }
}
