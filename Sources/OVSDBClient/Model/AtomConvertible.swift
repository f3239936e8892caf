/// A Swift type that stands for one OVSDB atom: the element type of generated model columns.
public protocol AtomConvertible: Hashable, Sendable {
    init(atom: Atom) throws(OVSDBError)
    var atom: Atom { get }
    /// The value OVSDB gives a column of this type that was never set.
    static var defaultValue: Self { get }
}

extension Int: AtomConvertible {
    @inlinable public init(atom: Atom) throws(OVSDBError) {
        guard case .integer(let i) = atom else { throw .mismatch(atom, "integer") }
        self = Int(i)
    }
    @inlinable public var atom: Atom { .integer(Int64(self)) }
    public static var defaultValue: Int { 0 }
}

extension Double: AtomConvertible {
    @inlinable public init(atom: Atom) throws(OVSDBError) {
        switch atom {
        case .real(let d): self = d
        case .integer(let i): self = Double(i)
        default: throw .mismatch(atom, "real")
        }
    }
    @inlinable public var atom: Atom { .real(self) }
    public static var defaultValue: Double { 0 }
}

extension Bool: AtomConvertible {
    @inlinable public init(atom: Atom) throws(OVSDBError) {
        guard case .boolean(let b) = atom else { throw .mismatch(atom, "boolean") }
        self = b
    }
    @inlinable public var atom: Atom { .boolean(self) }
    public static var defaultValue: Bool { false }
}

extension String: AtomConvertible {
    @inlinable public init(atom: Atom) throws(OVSDBError) {
        guard case .string(let s) = atom else { throw .mismatch(atom, "string") }
        self = s
    }
    @inlinable public var atom: Atom { .string(self) }
    public static var defaultValue: String { "" }
}

extension OVSDBUUID: AtomConvertible {
    @inlinable public init(atom: Atom) throws(OVSDBError) {
        guard case .uuid(let u) = atom else { throw .mismatch(atom, "uuid") }
        self = u
    }
    @inlinable public var atom: Atom { .uuid(self) }
    public static var defaultValue: OVSDBUUID { .zero }
}

/// A string column restricted by an `enum` constraint, generated as a Swift enum.
public protocol OVSDBStringEnum: AtomConvertible, RawRepresentable<String>, CaseIterable {}

extension OVSDBStringEnum {
    @inlinable public init(atom: Atom) throws(OVSDBError) {
        guard case .string(let s) = atom else { throw .mismatch(atom, "string") }
        guard let v = Self(rawValue: s) else {
            let allowed = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw .constraint("\(atom.text) is not one of the allowed values ([\(allowed)])")
        }
        self = v
    }
    @inlinable public var atom: Atom { .string(rawValue) }
    public static var defaultValue: Self { Self.allCases.first! }
}

extension OVSDBError {
    @usableFromInline static func mismatch(_ atom: Atom, _ expected: String) -> OVSDBError {
        OVSDBError(tag: "syntax error", details: "expected \(expected), got \(atom.type.rawValue) \(atom.text)")
    }
}
