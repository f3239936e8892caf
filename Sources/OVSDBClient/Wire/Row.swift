/// Column values of one row, by column name. Rows read from a server also carry `_uuid` and
/// `_version` when they were selected.
///
/// The names are kept sorted beside their values rather than in a dictionary: a replica holds
/// 100,000s of rows with the same handful of columns, and rows of one table can share one names
/// array (`sharingNames`), so a row costs its values and little else.
public struct Row: Sendable, Hashable {
    public private(set) var names: [String]
    public private(set) var values: [Datum]

    public init() {
        names = []
        values = []
    }

    /// An empty row with room for `capacity` columns.
    public init(reservingCapacity capacity: Int) {
        self.init()
        names.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    public init(_ columns: [String: Datum]) {
        let sorted = columns.sorted { $0.key < $1.key }
        names = sorted.map(\.key)
        values = sorted.map(\.value)
    }

    /// Names already sorted and unique (no check), `values` parallel to them.
    init(sortedNames: [String], values: [Datum]) {
        names = sortedNames
        self.values = values
    }

    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }

    /// The columns as a dictionary (built on each call: iterate `entries` on hot paths).
    public var columns: [String: Datum] {
        get { Dictionary(uniqueKeysWithValues: zip(names, values)) }
        set { self = Row(newValue) }
    }

    /// (name, value) in name order.
    public var entries: Zip2Sequence<[String], [Datum]> { zip(names, values) }

    private func position(of name: String) -> (found: Bool, at: Int) {
        // Rows are mostly built column by column in name order: then each name goes last.
        guard let last = names.last, !(last < name) else { return (false, names.count) }
        if names.count <= 16 {
            for (i, n) in names.enumerated() {
                if n == name { return (true, i) }
                if name < n { return (false, i) }
            }
            return (false, names.count)
        }
        var lo = 0
        var hi = names.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if names[mid] < name { lo = mid + 1 } else { hi = mid }
        }
        return (lo < names.count && names[lo] == name, lo)
    }

    public subscript(column: String) -> Datum? {
        get {
            let p = position(of: column)
            return p.found ? values[p.at] : nil
        }
        set {
            let p = position(of: column)
            switch (p.found, newValue) {
            case (true, let v?): values[p.at] = v
            case (true, nil):
                names.remove(at: p.at)
                values.remove(at: p.at)
            case (false, let v?):
                names.insert(column, at: p.at)
                values.insert(v, at: p.at)
            case (false, nil): break
            }
        }
    }

    /// Uses `shared` as this row's names when they are the same, so rows of one table keep one
    /// copy of them.
    public mutating func sharingNames(with shared: [String]) {
        if names == shared { names = shared }
    }

    public var uuid: OVSDBUUID? {
        if case .uuid(let u)? = self["_uuid"]?.first { return u }
        return nil
    }

    /// Reads a `<row>` object, checking every column against `table`.
    /// With `ignoreUnknownColumns`, columns the schema does not know (a newer server) are skipped.
    public init(json: JSON, table: TableSchema, allowNamedUUID: Bool = false, ignoreUnknownColumns: Bool = false) throws(OVSDBError) {
        guard case .object(let object) = json else {
            throw .syntaxError(json, "Parsing row failed: Object expected.")
        }
        var row = Row()
        row.names.reserveCapacity(object.count)
        row.values.reserveCapacity(object.count)
        for (name, value) in object {
            guard let column = table.column(name) else {
                if ignoreUnknownColumns { continue }
                throw OVSDBError(tag: "unknown column", details: "No column \(name) in table \(table.name).", syntax: CanonicalJSON.string(json), table: table.name, column: name)
            }
            do {
                row[name] = try Datum(json: value, type: column.type, allowNamedUUID: allowNamedUUID)
            } catch {
                throw error.located(table: table.name, column: name)
            }
        }
        self = row
    }

    public var json: JSON {
        var object: [String: JSON] = [:]
        object.reserveCapacity(names.count)
        for (n, v) in entries { object[n] = v.json }
        return .object(object)
    }
}
