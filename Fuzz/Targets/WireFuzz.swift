import OVSDBClient

/// Schema, datum, condition and mutation parsing from one JSON text: the input is tried as
/// a database schema, then as a datum, a condition and a mutation list against a fixed table
/// with one column of every shape.
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
        }
    }
    if let condition = try? Condition(json: json, table: table) { _ = condition.matches(Row()) }
    if case .array(let items) = json {
        for item in items {
            guard let m = try? Mutation(json: item, table: table), let column = table.column(m.column) else { continue }
            _ = try? m.apply(to: .defaultValue(for: column.type), type: column.type)
        }
    }
    return 0
}
