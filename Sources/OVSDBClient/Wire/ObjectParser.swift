/// Reads the members of a JSON object the way Open vSwitch's `ovsdb_parser` does: required and
/// optional members of given kinds, and an error for a member nobody asked for.
struct ObjectParser {
    let json: JSON
    let object: [String: JSON]
    let name: String
    private var used: Set<String> = []

    init(_ json: JSON, name: String) throws(OVSDBError) {
        guard let object = json.objectValue else {
            throw .syntaxError(json, "Parsing \(name) failed: Object expected.")
        }
        self.json = json
        self.object = object
        self.name = name
    }

    enum Kind {
        case string, integer, number, boolean, object, array, id, any
        func accepts(_ value: JSON) -> Bool {
            switch (self, value) {
            case (.any, _): return true
            case (.string, .string), (.integer, .integer), (.number, .integer), (.number, .real),
                 (.boolean, .bool), (.object, .object), (.array, .array):
                return true
            case (.id, .string(let s)): return ObjectParser.isID(s)
            default: return false
            }
        }
    }

    mutating func optional(_ member: String, _ kind: Kind) throws(OVSDBError) -> JSON? {
        guard let value = object[member] else { return nil }
        used.insert(member)
        guard kind.accepts(value) else {
            throw .syntaxError(json, "Parsing \(name) failed: Type mismatch for member '\(member)'.")
        }
        return value
    }

    mutating func required(_ member: String, _ kind: Kind) throws(OVSDBError) -> JSON {
        guard let value = try optional(member, kind) else {
            throw .syntaxError(json, "Parsing \(name) failed: Required '\(member)' member is missing.")
        }
        return value
    }

    func finish() throws(OVSDBError) {
        for key in object.keys.sorted() where !used.contains(key) {
            throw .syntaxError(json, "Parsing \(name) failed: Member '\(key)' is present but not allowed here.")
        }
    }

    /// An identifier as OVSDB defines it: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isID(_ s: String) -> Bool {
        var first = true
        for b in s.utf8 {
            let alpha = (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95
            let digit = b >= 48 && b <= 57
            if first ? !alpha : !(alpha || digit) { return false }
            first = false
        }
        return !first
    }
}
