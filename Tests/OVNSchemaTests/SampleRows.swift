import OVSDBClient

/// Makes rows whose every column holds a valid, non-default value for its schema type, so
/// a round trip through the typed models touches every column of every table.
struct SampleRows {
    let schema: DatabaseSchema
    private var counter = 0

    init(schema: DatabaseSchema) {
        self.schema = schema
    }

    /// A row for `table`, with strong references that must be set (min 1) pointing to rows
    /// made here too; those come back in `extra` (table, uuid, row), to insert first.
    mutating func row(for table: String, extra: inout [(String, OVSDBUUID, Row)]) -> Row {
        let t = schema.tables[table]!
        var row = Row()
        for name in t.columnNames {
            let type = t.columns[name]!.type
            if let ref = type.key.refTable {
                var refs: [Atom] = []
                for _ in 0..<type.min {
                    let uuid = OVSDBUUID.random()
                    extra.append((ref, uuid, self.row(for: ref, extra: &extra)))
                    refs.append(.uuid(uuid))
                }
                row[name] = try! Datum.set(refs)
                continue
            }
            let count = type.isScalar ? 1 : min(type.maxCount, max(type.min, 2))
            let keys = atoms(type.key, count: count)
            if let value = type.value {
                if value.refTable != nil {
                    row[name] = .emptyMap
                    continue
                }
                let values = atoms(value, count: keys.count)
                row[name] = try! Datum.map(Array(zip(keys, values)))
            } else {
                row[name] = try! Datum.set(keys)
            }
        }
        return row
    }

    /// `count` distinct valid atoms of `base` (fewer when the type has fewer values).
    private mutating func atoms(_ base: BaseType, count: Int) -> [Atom] {
        if let e = base.enumeration { return Array(e.reversed().prefix(count)) }
        var out: [Atom] = []
        for i in 0..<count {
            counter += 1
            switch base.type {
            case .integer:
                let lo = max(base.minInteger, -1000), hi = min(base.maxInteger, 1000)
                out.append(.integer(min(hi, lo + (hi - lo) / 2 + Int64(i))))
            case .real:
                let lo = max(base.minReal, -1000), hi = min(base.maxReal, 1000)
                out.append(.real(min(hi, lo + (hi - lo) / 2 + Double(i) + 0.5)))
            case .boolean:
                if i < 2 { out.append(.boolean(i == 0)) }
            case .string:
                var s = "v\(counter)"
                while s.count < base.minLength { s += "x" }
                out.append(.string(String(s.prefix(Int(min(base.maxLength, 1000))))))
            case .uuid:
                out.append(.uuid(.random()))
            }
        }
        return out
    }
}
