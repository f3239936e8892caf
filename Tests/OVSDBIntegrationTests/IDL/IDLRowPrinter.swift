import Foundation
import OVSDBClient

/// Prints replica rows the way Open vSwitch's `test-ovsdb idl` prints its C IDL's rows, one
/// line per row. References to rows the replica does not hold are left out, as the C IDL's
/// typed structs leave them out.
struct IDLRowPrinter {
    let store: ReplicaStore

    static func real(_ d: Double) -> String {
        String(format: "%g", d)
    }

    func atom(_ a: Atom) -> String {
        switch a {
        case .integer(let i): return "\(i)"
        case .real(let r): return Self.real(r)
        case .boolean(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .uuid(let u): return u.description
        case .namedUUID(let n): return n
        }
    }

    func list(_ d: Datum?) -> String { "[" + (d?.keys ?? []).map(atom).joined(separator: " ") + "]" }

    /// The referenced rows that the replica holds.
    func held(_ d: Datum?, in table: String) -> [OVSDBUUID] {
        (d?.keys ?? []).compactMap { if case .uuid(let u) = $0, store[table]?[u] != nil { return u }; return nil }
    }

    func int(_ d: Datum?) -> String { d?.keys.first.map(atom) ?? "" }

    func iOf(_ u: OVSDBUUID, _ table: String) -> String { int(store[table]?[u]?["i"]) }

    /// The row's fields without the table prefix, or nil for a table test-ovsdb does not print.
    func fields(_ table: String, _ u: OVSDBUUID, _ r: Row) -> String? {
        switch table {
        case "simple":
            return "i=\(int(r["i"])) r=\(int(r["r"])) b=\(int(r["b"])) s=\(int(r["s"])) u=\(int(r["u"])) ia=\(list(r["ia"])) ra=\(list(r["ra"])) ba=\(list(r["ba"])) sa=\(list(r["sa"])) ua=\(list(r["ua"])) uuid=\(u)"
        case "link1":
            let k = held(r["k"], in: "link1").first.map { iOf($0, "link1") } ?? ""
            let ka = held(r["ka"], in: "link1").compactMap { Int64(iOf($0, "link1")) }.sorted().map(String.init)
            let l2 = held(r["l2"], in: "link2").first.map { iOf($0, "link2") } ?? ""
            return "i=\(int(r["i"])) k=\(k) ka=[\(ka.joined(separator: " "))] l2=\(l2) uuid=\(u)"
        case "link2":
            let l1 = held(r["l1"], in: "link1").first.map { iOf($0, "link1") } ?? ""
            return "i=\(int(r["i"])) l1=\(l1) uuid=\(u)"
        case "simple3":
            let uref = held(r["uref"], in: "simple4").map(\.description)
            return "name=\(int(r["name"])) uset=\(list(r["uset"])) uref=[\(uref.joined(separator: " "))] uuid=\(u)"
        case "simple4", "singleton":
            return "name=\(int(r["name"])) uuid=\(u)"
        case "simple6":
            let refs = held(r["weak_ref"], in: "simple").map(\.description)
            return "name=\(int(r["name"])) weak_ref=[\(refs.joined(separator: " "))] uuid=\(u)"
        case "indexed":
            return "i=\(int(r["i"])) uuid=\(u)"
        default:
            return nil
        }
    }

    /// `print_idl`: every row, or `empty`.
    func lines(step: Int) -> [String] {
        var out: [String] = []
        for (name, table) in store.tables.sorted(by: { $0.key < $1.key }) {
            for (u, r) in table.rows {
                if let f = fields(name, u, r) { out.append(String(format: "%03d: ", step) + "table \(name): " + f) }
            }
        }
        return out.isEmpty ? [String(format: "%03d: empty", step)] : out
    }
}
