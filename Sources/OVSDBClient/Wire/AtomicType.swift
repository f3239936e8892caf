/// The five OVSDB atomic types.
public enum AtomicType: String, Sendable, Hashable, CaseIterable {
    case integer, real, boolean, string, uuid

    init(json: JSON) throws(OVSDBError) {
        guard let name = json.stringValue else {
            throw .syntaxError(json, "atomic-type expected")
        }
        guard let type = AtomicType(rawValue: name) else {
            throw .syntaxError(json, "\"\(name)\" is not an atomic-type")
        }
        self = type
    }

    var json: JSON { .string(rawValue) }

    /// The atom a new row gets when a column of this type has min 1.
    public var defaultAtom: Atom {
        switch self {
        case .integer: return .integer(0)
        case .real: return .real(0)
        case .boolean: return .boolean(false)
        case .string: return .string("")
        case .uuid: return .uuid(.zero)
        }
    }
}
