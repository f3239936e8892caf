/// A column of a table schema.
public struct ColumnSchema: Sendable, Hashable {
    public var name: String
    public var type: ColumnType
    public var isEphemeral: Bool
    public var isMutable: Bool

    public init(name: String, type: ColumnType, isEphemeral: Bool = false, isMutable: Bool = true) {
        self.name = name
        self.type = type
        self.isEphemeral = isEphemeral
        self.isMutable = isMutable
    }

    public init(name: String, json: JSON) throws(OVSDBError) {
        var parser = try ObjectParser(json, name: "schema for column \(name)")
        let type = try ColumnType(json: try parser.required("type", .any))
        let ephemeral = try parser.optional("ephemeral", .boolean)?.boolValue ?? false
        let mutable = try parser.optional("mutable", .boolean)?.boolValue ?? true
        _ = try parser.optional("doc", .string)
        try parser.finish()
        self.init(name: name, type: type, isEphemeral: ephemeral, isMutable: mutable)
    }

    public var json: JSON {
        var o: [String: JSON] = ["type": type.json]
        if !isMutable { o["mutable"] = false }
        if isEphemeral { o["ephemeral"] = true }
        return .object(o)
    }
}

/// A table of a database schema.
public struct TableSchema: Sendable, Hashable {
    public var name: String
    /// User columns by name (not `_uuid` / `_version`).
    public var columns: [String: ColumnSchema]
    public var isMutable: Bool
    public var maxRows: Int?
    public var isRoot: Bool
    public var indexes: [[String]]

    public init(name: String, columns: [ColumnSchema], isMutable: Bool = true, maxRows: Int? = nil, isRoot: Bool = false, indexes: [[String]] = []) {
        self.name = name
        self.columns = Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0) })
        self.isMutable = isMutable
        self.maxRows = maxRows
        self.isRoot = isRoot
        self.indexes = indexes
    }

    /// The implicit `_uuid` and `_version` columns, which conditions may name.
    public static let uuidColumn = ColumnSchema(name: "_uuid", type: ColumnType(key: .uuid), isMutable: false)
    public static let versionColumn = ColumnSchema(name: "_version", type: ColumnType(key: .uuid), isMutable: false)

    /// A user column or `_uuid` / `_version`.
    public func column(_ name: String) -> ColumnSchema? {
        if let c = columns[name] { return c }
        if name == "_uuid" { return Self.uuidColumn }
        if name == "_version" { return Self.versionColumn }
        return nil
    }

    /// Column names in byte order (the order Open vSwitch prints and this library encodes).
    public var columnNames: [String] {
        columns.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// `defaultIsRoot` is true inside a schema where no table says isRoot.
    public init(name: String, json: JSON, defaultIsRoot: Bool = false) throws(OVSDBError) {
        var parser = try ObjectParser(json, name: "table schema for table \(name)")
        let columnsJSON = try parser.required("columns", .object).objectValue!
        let mutable = try parser.optional("mutable", .boolean)?.boolValue ?? true
        let isRoot = try parser.optional("isRoot", .boolean)?.boolValue ?? defaultIsRoot
        let maxRowsJSON = try parser.optional("maxRows", .integer)
        let indexesJSON = try parser.optional("indexes", .array)?.arrayValue ?? []
        _ = try parser.optional("doc", .string)
        try parser.finish()

        var maxRows: Int?
        if let m = maxRowsJSON?.integerValue {
            guard m >= 1 else { throw .syntaxError(json, "maxRows must be at least 1") }
            maxRows = Int(m)
        }
        guard !columnsJSON.isEmpty else { throw .syntaxError(json, "table must have at least one column") }
        var columns: [ColumnSchema] = []
        for columnName in columnsJSON.keys.sorted() {
            if columnName.hasPrefix("_") {
                throw .syntaxError(json, "names beginning with \"_\" are reserved")
            }
            guard ObjectParser.isID(columnName) else { throw .syntaxError(json, "name must be a valid id") }
            do {
                columns.append(try ColumnSchema(name: columnName, json: columnsJSON[columnName]!))
            } catch {
                throw error.located(table: name, column: columnName)
            }
        }
        self.init(name: name, columns: columns, isMutable: mutable, maxRows: maxRows, isRoot: isRoot)
        for indexJSON in indexesJSON {
            guard case .array(let names) = indexJSON else {
                throw .syntaxError(indexJSON, "array of distinct column names expected")
            }
            guard !names.isEmpty else { throw .syntaxError(indexJSON, "index must have at least one column") }
            var index: [String] = []
            for n in names {
                guard let columnName = n.stringValue, let column = self.columns[columnName], !index.contains(columnName) else {
                    throw .syntaxError(indexJSON, "array of distinct column names expected")
                }
                if column.isEphemeral {
                    throw .syntaxError(indexJSON, "ephemeral columns (such as \(columnName)) may not be indexed")
                }
                index.append(columnName)
            }
            indexes.append(index)
        }
    }

    /// `defaultIsRoot` decides whether `isRoot` is printed (only when it differs).
    public func json(defaultIsRoot: Bool = false) -> JSON {
        var o: [String: JSON] = ["columns": .object(columns.mapValues(\.json))]
        if !isMutable { o["mutable"] = false }
        if let maxRows { o["maxRows"] = .integer(Int64(maxRows)) }
        if isRoot != defaultIsRoot { o["isRoot"] = .bool(isRoot) }
        if !indexes.isEmpty { o["indexes"] = .array(indexes.map { .array($0.map(JSON.string)) }) }
        return .object(o)
    }
}

/// A database schema (`.ovsschema`, or the reply of `get_schema`).
public struct DatabaseSchema: Sendable, Hashable {
    public var name: String
    public var version: String?
    public var checksum: String?
    public var tables: [String: TableSchema]

    public init(name: String, version: String?, checksum: String? = nil, tables: [TableSchema]) {
        self.name = name
        self.version = version
        self.checksum = checksum
        self.tables = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })
    }

    public init(json: JSON) throws(OVSDBError) {
        var parser = try ObjectParser(json, name: "database schema")
        let name = try parser.required("name", .id).stringValue!
        let version = try parser.optional("version", .string)?.stringValue
        let checksum = try parser.optional("cksum", .string)?.stringValue
        let tablesJSON = try parser.required("tables", .object).objectValue!
        _ = try parser.optional("doc", .string)
        try parser.finish()
        if let version, !Self.isVersion(version) {
            throw .syntaxError(json, "schema version \"\(version)\" not in format x.y.z")
        }
        let anyRoot = tablesJSON.values.contains { $0["isRoot"] == .bool(true) }
        var tables: [TableSchema] = []
        for tableName in tablesJSON.keys.sorted() {
            if tableName.hasPrefix("_") {
                throw .syntaxError(json, "names beginning with \"_\" are reserved")
            }
            guard ObjectParser.isID(tableName) else { throw .syntaxError(json, "name must be a valid id") }
            var table = try TableSchema(name: tableName, json: tablesJSON[tableName]!, defaultIsRoot: !anyRoot)
            if !anyRoot { table.isRoot = true }
            tables.append(table)
        }
        self.init(name: name, version: version, checksum: checksum, tables: tables)
        try checkReferences()
    }

    private mutating func checkReferences() throws(OVSDBError) {
        for tableName in tables.keys.sorted() {
            var table = tables[tableName]!
            for columnName in table.columnNames {
                var column = table.columns[columnName]!
                for (role, base) in [("key", column.type.key), ("value", column.type.value)] {
                    guard let base, let ref = base.refTable else { continue }
                    guard let target = tables[ref] else {
                        throw OVSDBError(tag: "syntax error", details: "column \(columnName) \(role) refers to undefined table \(ref)", table: tableName, column: columnName)
                    }
                    // Open vSwitch's rules: an ephemeral strong reference to a non-root table
                    // would lose rows on restart, so it is made persistent; an immutable weak
                    // reference must be mutable so the server can drop dangling UUIDs.
                    if column.isEphemeral, base.refType == .strong, !target.isRoot { column.isEphemeral = false }
                    if !column.isMutable, base.refType == .weak { column.isMutable = true }
                }
                table.columns[columnName] = column
            }
            tables[tableName] = table
        }
    }

    private static func isVersion(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    public var json: JSON {
        let anyRoot = tables.values.contains { $0.isRoot }
        let allRoot = tables.values.allSatisfy { $0.isRoot }
        var o: [String: JSON] = ["name": .string(name), "tables": .object(tables.mapValues { $0.json(defaultIsRoot: allRoot && anyRoot) })]
        if let version { o["version"] = .string(version) }
        if let checksum { o["cksum"] = .string(checksum) }
        return .object(o)
    }

    public func table(_ name: String) throws(OVSDBError) -> TableSchema {
        guard let t = tables[name] else {
            throw OVSDBError(tag: "unknown table", details: "No table named \(name).", table: name)
        }
        return t
    }
}
