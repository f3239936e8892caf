import OVSDBClient

/// Schema, datum, condition and mutation parsing from one JSON text: the input is tried as
/// a database schema, then as a datum, a condition and a mutation list against a fixed table
/// with one column of every shape. Whatever parses is also written both ways (see `agree`).
private let table: TableSchema = {
    let json = try! JanssonCodec.decode(#"""
    {"columns": {
      "i": {"type": {"key": {"type": "integer", "minInteger": -5, "maxInteger": 100}, "min": 0, "max": "unlimited"}},
      "r": {"type": "real"},
      "b": {"type": "boolean"},
      "s": {"type": {"key": {"type": "string", "enum": ["set", ["a", "b", "c"]]}, "min": 0, "max": 2}},
      "m": {"type": {"key": "string", "value": {"type": "string", "maxLength": 8}, "min": 0, "max": "unlimited"}},
      "u": {"type": {"key": {"type": "uuid", "refTable": "t"}, "min": 0, "max": "unlimited"}}
    }}
    """#)
    return try! TableSchema(name: "t", json: json)
}()

/// The direct writer prints what the JSON writer prints for the operation's tree.
private func agree(_ op: OVSDBOperation) {
    var direct: [UInt8] = []
    op.encode(into: &direct)
    precondition(direct == JSONWriter.encode(op.json), "encode(into:) and JSONWriter disagree")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = try? JanssonCodec.decode(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    if let schema = try? DatabaseSchema(json: json) {
        // What was accepted prints and reads back as the same schema.
        for t in schema.tables.values { precondition((try? TableSchema(name: t.name, json: t.json())) != nil, "a table's own JSON does not read back") }
    }
    for column in table.columns.values {
        if let datum = try? Datum(json: json, type: column.type) {
            _ = datum.text(for: column.type)
            precondition((try? datum.check(column.type)) != nil, "a parsed datum fails its own type check")
            var row = Row()
            row[column.name] = datum
            agree(.insert(table: "t", row: row, uuidName: "n"))
        }
    }
    if let condition = try? Condition(json: json, table: table) {
        _ = condition.matches(Row())
        agree(.select(table: "t", where: condition, columns: ["i"]))
    }
    if case .array(let items) = json {
        for item in items {
            guard let m = try? Mutation(json: item, table: table), let column = table.column(m.column) else { continue }
            agree(.mutate(table: "t", where: Condition([]), mutations: [m]))
            _ = try? m.apply(to: .defaultValue(for: column.type), type: column.type)
        }
    }
    return 0
}
