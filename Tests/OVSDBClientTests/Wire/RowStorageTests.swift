import Testing
@testable import OVSDBClient

/// Rows and datums are stored densely (sorted names beside values, a set of one inline); these
/// check that the storage never shows through: one value, one form, whatever way it was built.
@Suite("dense rows and datums")
struct RowStorageTests {
    @Test("a set of one is the same datum however it was made, with the same hash and order")
    func oneForm() throws {
        let a = Atom.string("x")
        let made: [Datum] = [.scalar(a), try .set([a]), Datum(sortedKeys: [a]), try Datum(json: "x", type: ColumnType(key: BaseType(.string), min: 0, max: 1))]
        for d in made {
            #expect(d == made[0] && d.hashValue == made[0].hashValue)
            #expect(d.keys == [a] && d.first == a && d.count == 1 && d.values == nil && !d.isMap)
        }
        let map = try Datum.map([(a, .string("v"))])
        #expect(map != made[0] && map.isMap && map.keys == [a] && map.values == [.string("v")] && map[a] == .string("v"))
        let two = try Datum.set([a, .string("y")])
        #expect(Datum.emptySet < made[0] && made[0] < two)
        #expect(.scalar(.string("w")) < made[0] && !(made[0] < made[0]))
    }

    @Test("a row's columns read and write by name, stay sorted, and equal however they were set")
    func rowByName() {
        var r = Row()
        for name in ["match", "action", "priority", "external_ids"] { r[name] = .scalar(.string(name)) }
        #expect(r.names == ["action", "external_ids", "match", "priority"])
        #expect(r == Row(["priority": .scalar(.string("priority")), "match": .scalar(.string("match")),
                          "external_ids": .scalar(.string("external_ids")), "action": .scalar(.string("action"))]))
        r["match"] = .scalar(.integer(1))
        r["action"] = nil
        r["absent"] = nil
        #expect(r.names == ["external_ids", "match", "priority"] && r["match"] == .scalar(.integer(1)) && r["action"] == nil)
        #expect(r.columns == ["external_ids": .scalar(.string("external_ids")), "match": .scalar(.integer(1)), "priority": .scalar(.string("priority"))])
        var wide = Row()
        for i in (0..<40).reversed() { wide["c\(i)"] = .scalar(.integer(Int64(i))) }
        #expect(wide.names == wide.names.sorted() && wide.count == 40)
        #expect((0..<40).allSatisfy { wide["c\($0)"] == .scalar(.integer(Int64($0))) })
    }

    @Test("completing to a shape fills defaults, shares the shape's names, and keeps columns beyond it")
    func shapes() throws {
        let int = ColumnSchema(name: "priority", type: ColumnType(key: BaseType(.integer)))
        let set = ColumnSchema(name: "nexthops", type: ColumnType(key: BaseType(.string), min: 0, max: nil))
        let shape = RowShape([set, int, set])
        #expect(shape.names == ["nexthops", "priority"])
        let done = shape.completed(Row(["priority": .scalar(.integer(7))]))
        #expect(done == Row(["priority": .scalar(.integer(7)), "nexthops": .emptySet]))
        #expect(done.names.withUnsafeBufferPointer { $0.baseAddress } == shape.names.withUnsafeBufferPointer { $0.baseAddress })
        let extra = shape.completed(Row(["zone": .scalar(.integer(1))]))
        #expect(extra == Row(["zone": .scalar(.integer(1)), "priority": .scalar(.integer(0)), "nexthops": .emptySet]))
    }
}
