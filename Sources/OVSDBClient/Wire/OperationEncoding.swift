/// Writes operations, rows and values as bytes straight from their own storage: the same bytes
/// as `JSONWriter.write(x.json)`, without building the `JSON` tree. A 10,000-row insert
/// otherwise builds some 200,000 tree nodes and sorts every object's members just to print
/// them. Tests and the wire fuzz target compare the two writers on every value.
extension OVSDBOperation {
    /// The params of a `transact`: `[database, operation...]`.
    public static func encodeTransactParams<Operations: Sequence<OVSDBOperation>, Out: JSONOutput>(
        database: String, _ operations: Operations, into out: inout Out
    ) {
        encodeTransactParams(database: database, operations, into: &out) { _ in }
    }

    /// As above; `check` sees each operation before it is written, and what it throws stops
    /// the encoding. The operations are read once, so a sequence that makes them as it goes
    /// never holds them all.
    public static func encodeTransactParams<Operations: Sequence<OVSDBOperation>, Out: JSONOutput>(
        database: String, _ operations: Operations, into out: inout Out,
        checking check: (OVSDBOperation) throws -> Void
    ) rethrows {
        out.append(UInt8(ascii: "["))
        JSONWriter.writeString(database, into: &out)
        for op in operations {
            try check(op)
            out.append(UInt8(ascii: ","))
            op.encode(into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    public func encode<Out: JSONOutput>(into out: inout Out) {
        switch self {
        case .insert(let table, let row, let uuidName, let uuid):
            out.appendASCII(#"{"op":"insert","row":"#)
            row.encode(into: &out)
            out.appendASCII(#","table":"#)
            JSONWriter.writeString(table, into: &out)
            if let uuid {
                out.appendASCII(#","uuid":""#)
                uuid.write(into: &out)
                out.append(UInt8(ascii: "\""))
            }
            if let uuidName {
                out.appendASCII(#","uuid-name":"#)
                JSONWriter.writeString(uuidName, into: &out)
            }
        case .select(let table, let condition, let columns):
            out.append(UInt8(ascii: "{"))
            if let columns {
                out.appendASCII(#""columns":"#)
                Self.writeStrings(columns, into: &out)
                out.append(UInt8(ascii: ","))
            }
            out.appendASCII(#""op":"select","table":"#)
            JSONWriter.writeString(table, into: &out)
            out.appendASCII(#","where":"#)
            condition.encode(into: &out)
        case .update(let table, let condition, let row):
            out.appendASCII(#"{"op":"update","row":"#)
            row.encode(into: &out)
            out.appendASCII(#","table":"#)
            JSONWriter.writeString(table, into: &out)
            out.appendASCII(#","where":"#)
            condition.encode(into: &out)
        case .mutate(let table, let condition, let mutations):
            out.appendASCII(#"{"mutations":["#)
            for (i, m) in mutations.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                m.encode(into: &out)
            }
            out.appendASCII(#"],"op":"mutate","table":"#)
            JSONWriter.writeString(table, into: &out)
            out.appendASCII(#","where":"#)
            condition.encode(into: &out)
        case .delete(let table, let condition):
            out.appendASCII(#"{"op":"delete","table":"#)
            JSONWriter.writeString(table, into: &out)
            out.appendASCII(#","where":"#)
            condition.encode(into: &out)
        case .wait(let table, let condition, let columns, let until, let rows, let timeout):
            out.appendASCII(#"{"columns":"#)
            Self.writeStrings(columns, into: &out)
            out.appendASCII(#","op":"wait","rows":["#)
            for (i, r) in rows.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                r.encode(into: &out)
            }
            out.appendASCII(#"],"table":"#)
            JSONWriter.writeString(table, into: &out)
            if let timeout {
                out.appendASCII(#","timeout":"#)
                JSONWriter.writeInteger(Int64(timeout), into: &out)
            }
            out.appendASCII(#","until":"#)
            JSONWriter.writeString(until.rawValue, into: &out)
            out.appendASCII(#","where":"#)
            condition.encode(into: &out)
        case .commit(let durable):
            out.appendASCII(#"{"durable":"#)
            JSONWriter.writeBool(durable, into: &out)
            out.appendASCII(#","op":"commit""#)
        case .abort:
            out.appendASCII(#"{"op":"abort""#)
        case .comment(let text):
            out.appendASCII(#"{"comment":"#)
            JSONWriter.writeString(text, into: &out)
            out.appendASCII(#","op":"comment""#)
        case .assert(let lock):
            out.appendASCII(#"{"lock":"#)
            JSONWriter.writeString(lock, into: &out)
            out.appendASCII(#","op":"assert""#)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func writeStrings<Out: JSONOutput>(_ strings: [String], into out: inout Out) {
        out.append(UInt8(ascii: "["))
        for (i, s) in strings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(s, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension Row {
    /// A `<row>` object, members in byte order as `JSONWriter` prints them.
    public func encode<Out: JSONOutput>(into out: inout Out) {
        out.append(UInt8(ascii: "{"))
        if namesAreInByteOrder {
            for i in names.indices { writeMember(i, first: i == 0, into: &out) }
        } else {
            // Swift's String order and byte order differ only for names that are not in NFC.
            let order = names.indices.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
            for (n, i) in order.enumerated() { writeMember(i, first: n == 0, into: &out) }
        }
        out.append(UInt8(ascii: "}"))
    }

    private var namesAreInByteOrder: Bool {
        var previous: String?
        for name in names {
            if let previous, !previous.utf8.lexicographicallyPrecedes(name.utf8) { return false }
            previous = name
        }
        return true
    }

    private func writeMember<Out: JSONOutput>(_ i: Int, first: Bool, into out: inout Out) {
        if !first { out.append(UInt8(ascii: ",")) }
        JSONWriter.writeString(names[i], into: &out)
        out.append(UInt8(ascii: ":"))
        values[i].encode(into: &out)
    }
}

extension Datum {
    /// A bare atom for a set of one, else `["set", [...]]` or `["map", [[k, v], ...]]`.
    public func encode<Out: JSONOutput>(into out: inout Out) {
        if let values {
            out.appendASCII(#"["map",["#)
            for (i, (k, v)) in zip(keys, values).enumerated() {
                out.appendASCII(i > 0 ? ",[" : "[")
                k.encode(into: &out)
                out.append(UInt8(ascii: ","))
                v.encode(into: &out)
                out.append(UInt8(ascii: "]"))
            }
            out.appendASCII("]]")
        } else if count == 1, let atom = first {
            atom.encode(into: &out)
        } else {
            out.appendASCII(#"["set",["#)
            for (i, a) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                a.encode(into: &out)
            }
            out.appendASCII("]]")
        }
    }
}

extension Datum {
    /// `[column, word, value]`: a condition's clause or a mutation.
    func encodeTriple<Out: JSONOutput>(_ column: String, _ word: String, into out: inout Out) {
        out.append(UInt8(ascii: "["))
        JSONWriter.writeString(column, into: &out)
        out.append(UInt8(ascii: ","))
        JSONWriter.writeString(word, into: &out)
        out.append(UInt8(ascii: ","))
        encode(into: &out)
        out.append(UInt8(ascii: "]"))
    }
}

extension Atom {
    public func encode<Out: JSONOutput>(into out: inout Out) {
        switch self {
        case .integer(let i): JSONWriter.writeInteger(i, into: &out)
        case .real(let d): JSONWriter.writeReal(d, into: &out)
        case .boolean(let b): JSONWriter.writeBool(b, into: &out)
        case .string(let s): JSONWriter.writeString(s, into: &out)
        case .uuid(let u):
            out.appendASCII(#"["uuid",""#)
            u.write(into: &out)
            out.appendASCII(#""]"#)
        case .namedUUID(let name):
            out.appendASCII(#"["named-uuid","#)
            JSONWriter.writeString(name, into: &out)
            out.append(UInt8(ascii: "]"))
        }
    }
}

extension Condition {
    public func encode<Out: JSONOutput>(into out: inout Out) {
        out.append(UInt8(ascii: "["))
        for (i, clause) in clauses.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            switch clause {
            case .literal(let b): JSONWriter.writeBool(b, into: &out)
            case .compare(let column, let function, let value):
                value.encodeTriple(column, function.rawValue, into: &out)
            }
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension Mutation {
    public func encode<Out: JSONOutput>(into out: inout Out) {
        value.encodeTriple(column, mutator.rawValue, into: &out)
    }
}
