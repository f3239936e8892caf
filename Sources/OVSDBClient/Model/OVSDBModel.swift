/// A column-name enum of a generated model.
public protocol OVSDBColumn: RawRepresentable<String>, Hashable, Sendable, CaseIterable {}

/// A generated row type: one per table of a schema.
public protocol OVSDBModel: Sendable, Hashable {
    associatedtype Column: OVSDBColumn
    static var tableName: String { get }
    /// The row's UUID: nil before it is inserted (the transaction builder then picks one).
    var uuid: OVSDBUUID? { get set }
    /// Reads a row as the server sent it; missing columns get their OVSDB default.
    init(row: Row) throws(OVSDBError)
    /// The row's values, all columns or only `columns`.
    func row(_ columns: Set<Column>?) -> Row
}

// The typed accessors are inlinable so that generated models, in their own module, get them
// specialised to their column types instead of calling through generic metadata per value.
extension Datum {
    @inlinable
    public init<T: AtomConvertible>(scalar value: T) {
        self = .scalar(value.atom)
    }

    @inlinable
    public init<T: AtomConvertible>(optional value: T?) {
        self = value.map { .scalar($0.atom) } ?? .emptySet
    }

    @inlinable
    public init<T: AtomConvertible>(set values: Set<T>) {
        // Most sets in OVN rows hold one member (a nexthop, an address): no array to sort.
        if values.count == 1 {
            self = .scalar(values.first!.atom)
        } else {
            self.init(sortedKeys: values.map(\.atom).sorted())
        }
    }

    /// A set of strings that the caller usually holds in OVSDB's order already (by bytes, no
    /// repeats), as the planner keeps address-set members: checked in one pass instead of
    /// sorted, and sorted (repeats dropped) only when they are not in order.
    public init(orderedStrings values: [String]) {
        if values.count == 1 {
            self = .scalar(.string(values[0]))
            return
        }
        let ordered = zip(values, values.dropFirst()).allSatisfy { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let keys = ordered ? values : Array(Set(values)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        self.init(sortedKeys: keys.map(Atom.string))
    }

    @inlinable
    public init<K: AtomConvertible, V: AtomConvertible>(map values: [K: V]) {
        if values.count <= 1 {
            self.init(sortedKeys: values.map { $0.key.atom }, values: values.map { $0.value.atom })
            return
        }
        let pairs = values.map { ($0.key.atom, $0.value.atom) }.sorted { $0.0 < $1.0 }
        self.init(sortedKeys: pairs.map(\.0), values: pairs.map(\.1))
    }
}

extension Row {
    @inlinable
    public func scalar<T: AtomConvertible>(_ column: String, in table: String, or fallback: T) throws(OVSDBError) -> T {
        guard let d = self[column], let first = d.first else { return fallback }
        do { return try T(atom: first) } catch { throw error.located(table: table, column: column) }
    }

    @inlinable
    public func optional<T: AtomConvertible>(_ column: String, in table: String) throws(OVSDBError) -> T? {
        guard let d = self[column], let first = d.first else { return nil }
        do { return try T(atom: first) } catch { throw error.located(table: table, column: column) }
    }

    @inlinable
    public func set<T: AtomConvertible>(_ column: String, in table: String) throws(OVSDBError) -> Set<T> {
        guard let d = self[column] else { return [] }
        var out = Set<T>(minimumCapacity: d.count)
        do {
            for k in d.keys { out.insert(try T(atom: k)) }
        } catch {
            throw error.located(table: table, column: column)
        }
        return out
    }

    @inlinable
    public func map<K: AtomConvertible, V: AtomConvertible>(_ column: String, in table: String) throws(OVSDBError) -> [K: V] {
        guard let d = self[column], let values = d.values else { return [:] }
        var out = [K: V](minimumCapacity: d.count)
        do {
            for (k, v) in zip(d.keys, values) { out[try K(atom: k)] = try V(atom: v) }
        } catch {
            throw error.located(table: table, column: column)
        }
        return out
    }
}

extension Clause {
    /// A typed clause: `.where(LogicalRouterPolicy.Column.priority, .equal, 101)`.
    public static func `where`<C: OVSDBColumn, T: AtomConvertible>(_ column: C, _ function: ConditionFunction, _ value: T) -> Clause {
        .compare(column: column.rawValue, function: function, value: .scalar(value.atom))
    }

    public static func `where`<C: OVSDBColumn>(_ column: C, _ function: ConditionFunction, _ value: Datum) -> Clause {
        .compare(column: column.rawValue, function: function, value: value)
    }

    /// Matches one row by UUID.
    public static func uuid(_ uuid: OVSDBUUID) -> Clause {
        .compare(column: "_uuid", function: .equal, value: .scalar(.uuid(uuid)))
    }
}
