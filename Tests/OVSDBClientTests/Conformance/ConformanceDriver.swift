@testable import OVSDBClient

/// Drives the wire layer the way Open vSwitch's `test-ovsdb` program drives its own, so the
/// vectors' expected output can be compared byte for byte.
struct ConformanceDriver {
    /// Commands this driver implements. The rest (the ovs-vsctl string syntax, update2 diffs,
    /// rows, queries) are counted and reported as not covered.
    static let supported: Set<String> = [
        "parse-atomic-type", "parse-base-type", "parse-type", "parse-atoms", "sort-atoms",
        "parse-data", "default-atoms", "default-data", "parse-column", "parse-table", "parse-schema",
        "parse-conditions", "evaluate-conditions", "evaluate-conditions-any", "compare-conditions",
        "parse-mutations", "execute-mutations", "parse-atom-strings", "parse-data-strings",
        "diff-data", "parse-rows", "query", "query-distinct",
    ]

    private var out = ConformanceOutcome()

    static func run(_ c: ConformanceCase) -> ConformanceOutcome {
        var driver = ConformanceDriver()
        do {
            try driver.execute(c.command, c.args)
        } catch let e as OVSDBError {
            driver.fail(e.ovsText)
        } catch let e as JSONDecodeError {
            driver.fail(e.message)
        } catch {
            driver.fail("\(error)")
        }
        return driver.out
    }

    private mutating func fail(_ message: String) {
        out.stderr += "test-ovsdb: \(message)\n"
        out.exitCode = 1
    }

    private mutating func print(_ line: String) {
        out.stdout += line + "\n"
    }

    private static func parse(_ text: String) throws -> JSON {
        try JanssonCodec.decode(text)
    }

    /// test-ovsdb's unboxing: a one-element array stands for its element.
    private static func unbox(_ text: String) throws -> JSON {
        let json = try parse(text)
        if case .array(let a) = json, a.count == 1 { return a[0] }
        return json
    }

    private static func table(_ text: String) throws -> TableSchema {
        try TableSchema(name: "mytable", json: unbox(text))
    }

    private mutating func execute(_ command: String, _ args: [String]) throws {
        switch command {
        case "parse-atomic-type":
            print(CanonicalJSON.string(try AtomicType(json: Self.unbox(args[0])).json))
        case "parse-base-type":
            print(CanonicalJSON.string(try BaseType(json: Self.unbox(args[0])).json))
        case "parse-type":
            print(CanonicalJSON.string(try ColumnType(json: Self.unbox(args[0])).json))
        case "parse-atoms":
            let base = try BaseType(json: Self.unbox(args[0]))
            for a in args.dropFirst() {
                do {
                    let atom = try Atom(json: Self.unbox(a), base: base)
                    crossCheck(atom.json, atom.encode)
                    print(CanonicalJSON.string(atom.json))
                } catch let e as OVSDBError {
                    print(e.ovsText)
                }
            }
        case "parse-atom-strings":
            let base = try BaseType(json: Self.unbox(args[0]))
            for text in args.dropFirst() {
                let atoms = try StringSyntax.atoms(text, base: base)
                if StringSyntax.isRange(text), let first = atoms.first, let last = atoms.last {
                    print("\(first.text)-\(last.text)")
                } else {
                    print(atoms[0].text)
                }
            }
        case "parse-data-strings":
            let type = try ColumnType(json: Self.unbox(args[0]))
            for text in args.dropFirst() {
                print(try StringSyntax.datum(text, type: type).text(for: type))
            }
        case "diff-data":
            let type = try ColumnType(json: Self.unbox(args[0]))
            var relaxed = type
            relaxed.min = 0
            relaxed.max = nil
            var lines: [String] = []
            var i = 1
            while i + 1 < args.count {
                let old = try Datum(json: Self.unbox(args[i]), type: type)
                let new = try Datum(json: Self.unbox(args[i + 1]), type: relaxed)
                let diff = old.diff(to: new, type: type)
                let applied = try old.applying(diff: diff, type: type)
                lines.append("diff: " + CanonicalJSON.string(diff.json))
                lines.append("apply diff: " + CanonicalJSON.string(applied.json))
                lines.append("apply diff in place: " + CanonicalJSON.string(applied.json))
                lines.append(applied == new ? "OK" : "FAIL")
                i += 2
            }
            lines.forEach { print($0) }
        case "parse-rows":
            let t = try Self.table(args[0])
            for text in args.dropFirst() {
                let json = try Self.unbox(text)
                let given = try Row(json: json, table: t)
                var row = try Self.row(json, t)
                row["_uuid"] = .scalar(.uuid(.zero))
                row["_version"] = .scalar(.uuid(.zero))
                crossCheck(row.json, row.encode)
                crossCheck(given.json, given.encode)
                print(CanonicalJSON.string(row.json))
                let names = given.names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                print(names.isEmpty ? "<none>" : names.joined(separator: ", "))
            }
        case "query", "query-distinct":
            let t = try Self.table(args[0])
            // Rows get random UUIDs as they are inserted, as test-ovsdb does.
            let rows = try (Self.parse(args[1]).arrayValue ?? []).map { json -> Row in
                var row = try Self.row(json, t)
                row["_uuid"] = .scalar(.uuid(.random()))
                return row
            }
            let conditions = try (Self.parse(args[2]).arrayValue ?? []).map { try Condition(json: $0, table: t) }
            var classOf: [String] = rows.map { _ in "1" }
            if command == "query-distinct" {
                let columns = try Self.parse(args[3]).arrayValue?.compactMap(\.stringValue) ?? []
                for c in columns where t.column(c) == nil { throw OVSDBError(tag: "syntax error", details: "\(c) is not a valid column name") }
                var classes: [[Datum?]] = []
                classOf = rows.map { row in
                    let key = columns.map { row[$0] }
                    if let k = classes.firstIndex(of: key) { return String(UnicodeScalar(UInt8(97 + k))) }
                    classes.append(key)
                    return String(UnicodeScalar(UInt8(97 + classes.count - 1)))
                }
            }
            for (i, c) in conditions.enumerated() {
                // A distinct query returns one row per class: every row of a class that matched shows it.
                let matched = Set(rows.indices.filter { c.matches(rows[$0]) }.map { classOf[$0] })
                let marks = rows.indices.map { r -> String in
                    if command == "query" { return c.matches(rows[r]) ? "1" : "-" }
                    return matched.contains(classOf[r]) ? classOf[r] : "-"
                }
                print(Self.label("query", i) + Self.grouped(marks))
            }
        case "sort-atoms":
            let base = try BaseType(json: Self.unbox(args[0]))
            let list = try Self.unbox(args[1]).arrayValue ?? []
            var atoms: [Atom] = []
            for j in list { atoms.append(try Atom(json: j, base: base)) }
            print(CanonicalJSON.string(.array(atoms.sorted().map(\.json))))
        case "parse-data":
            let type = try ColumnType(json: Self.unbox(args[0]))
            for d in args.dropFirst() {
                let datum = try Datum(json: Self.unbox(d), type: type)
                crossCheck(datum.json, datum.encode)
                print(CanonicalJSON.string(datum.json))
            }
        case "default-atoms":
            for t in AtomicType.allCases {
                let ok = (try? t.defaultAtom.check(BaseType(t))) != nil && Atom.defaultOf(t) == t.defaultAtom
                print("\(t.rawValue): \(ok ? "OK" : "FAIL")")
            }
        case "default-data":
            for nMin in 0...1 {
                for key in AtomicType.allCases {
                    for value in [nil] + AtomicType.allCases.map(Optional.some) {
                        let type = ColumnType(key: BaseType(key), value: value.map { BaseType($0) }, min: nMin, max: nil)
                        let d = Datum.defaultValue(for: type)
                        let ok = (try? d.check(type)) != nil && d.count == nMin && d.isMap == (value != nil)
                        print("key \(key.rawValue), value \(value?.rawValue ?? "void"), n_min \(nMin): \(ok ? "OK" : "FAIL")")
                    }
                }
            }
        case "parse-column":
            print(CanonicalJSON.string(try ColumnSchema(name: args[0], json: Self.parse(args[1])).json))
        case "parse-table":
            let defaultIsRoot = args.count > 2 && args[2] == "true"
            let t = try TableSchema(name: args[0], json: Self.parse(args[1]))
            print(CanonicalJSON.string(t.json(defaultIsRoot: defaultIsRoot)))
        case "parse-schema":
            print(CanonicalJSON.string(try DatabaseSchema(json: Self.parse(args[0])).json))
        case "parse-conditions":
            let t = try Self.table(args[0])
            for c in args.dropFirst() {
                do {
                    let condition = try Condition(json: Self.parse(c), table: t).sorted
                    crossCheck(condition.json, condition.encode)
                    print(CanonicalJSON.string(condition.json))
                } catch let e as OVSDBError {
                    fail(e.ovsText)
                }
            }
        case "evaluate-conditions", "evaluate-conditions-any":
            let t = try Self.table(args[0])
            let conditions = try (Self.parse(args[1]).arrayValue ?? []).map { try Condition(json: $0, table: t) }
            let rows = try (Self.parse(args[2]).arrayValue ?? []).map { try Self.row($0, t) }
            for (i, c) in conditions.enumerated() {
                let marks = rows.map { (command == "evaluate-conditions" ? c.matches($0) : c.matchesAny($0)) ? "T" : "-" }
                print(Self.label("condition", i) + Self.grouped(marks))
            }
        case "compare-conditions":
            let t = try Self.table(args[0])
            let conditions = try (Self.parse(args[1]).arrayValue ?? []).map { try Condition(json: $0, table: t).sorted }
            for i in conditions.indices.dropLast() {
                print("condition \(i)-\(i + 1): \(Self.compare(conditions[i], conditions[i + 1]))")
            }
        case "parse-mutations":
            let t = try Self.table(args[0])
            for m in args.dropFirst() {
                do {
                    let list = try Self.mutations(Self.parse(m), t)
                    for mutation in list { crossCheck(mutation.json, mutation.encode) }
                    print(CanonicalJSON.string(.array(list.map(\.json))))
                } catch let e as OVSDBError {
                    fail(e.ovsText)
                }
            }
        case "execute-mutations":
            let t = try Self.table(args[0])
            let sets = try (Self.parse(args[1]).arrayValue ?? []).map { try Self.mutations($0, t) }
            let rows = try (Self.parse(args[2]).arrayValue ?? []).map { try Self.row($0, t) }
            for (i, set) in sets.enumerated() {
                print(Self.label("mutation", i))
                for (j, row) in rows.enumerated() {
                    if let mutated = try? Self.mutated(row, by: set, t) { crossCheck(mutated.json, mutated.encode) }
                    print("row \(j): " + Self.execute(set, on: row, t))
                }
                print("")
            }
        default:
            fail("command \(command) not implemented by the driver")
        }
    }

    private static func mutations(_ json: JSON, _ t: TableSchema) throws(OVSDBError) -> [Mutation] {
        guard case .array(let a) = json else { throw .syntaxError(json, "Parse error in mutation.") }
        var out: [Mutation] = []
        for m in a { out.append(try Mutation(json: m, table: t)) }
        return out
    }

    private static func mutated(_ row: Row, by mutations: [Mutation], _ t: TableSchema) throws(OVSDBError) -> Row {
        var result = row
        for m in mutations { result[m.column] = try m.apply(to: result[m.column]!, type: t.columns[m.column]!.type) }
        return result
    }

    /// The direct writer (`encode(into:)`) must print each parsed value as `JSONWriter` prints
    /// its tree.
    private mutating func crossCheck(_ json: JSON, _ encode: (inout [UInt8]) -> Void) {
        var direct: [UInt8] = []
        encode(&direct)
        out.encodingsChecked += 1
        if direct != JSONWriter.encode(json) {
            out.encodingMismatches.append(String(decoding: direct, as: UTF8.self) + " vs " + String(decoding: JSONWriter.encode(json), as: UTF8.self))
        }
    }

    private static func execute(_ mutations: [Mutation], on row: Row, _ t: TableSchema) -> String {
        let result: Row
        do {
            result = try mutated(row, by: mutations, t)
        } catch {
            return error.ovsText
        }
        var changed: [String: JSON] = [:]
        for (name, datum) in result.columns where row[name] != datum { changed[name] = datum.json }
        return changed.isEmpty ? "no change" : CanonicalJSON.string(.object(changed))
    }

    /// A row with every column present: given values, defaults for the rest.
    private static func row(_ json: JSON, _ t: TableSchema) throws -> Row {
        var row = try Row(json: json, table: t)
        for (name, c) in t.columns where row[name] == nil { row[name] = .defaultValue(for: c.type) }
        return row
    }

    private static func label(_ word: String, _ i: Int) -> String {
        let n = String(i)
        return "\(word) \(n.count < 2 ? " " + n : n):"
    }

    /// test-ovsdb prints row marks in groups of five, each group after a space.
    private static func grouped(_ marks: [String]) -> String {
        var s = ""
        for (i, m) in marks.enumerated() {
            if i % 5 == 0 { s += " " }
            s += m
        }
        return s
    }

    private static func compare(_ a: Condition, _ b: Condition) -> Int {
        if a.clauses.count != b.clauses.count { return a.clauses.count < b.clauses.count ? -1 : 1 }
        for (x, y) in zip(a.clauses, b.clauses) where x != y {
            return Condition([x, y]).sorted.clauses.first == x ? -1 : 1
        }
        return 0
    }
}

extension Atom {
    static func defaultOf(_ t: AtomicType) -> Atom {
        switch t {
        case .integer: return .integer(0)
        case .real: return .real(0)
        case .boolean: return .boolean(false)
        case .string: return .string("")
        case .uuid: return .uuid(.zero)
        }
    }
}
