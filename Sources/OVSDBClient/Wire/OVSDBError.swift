/// An OVSDB error: what a server puts in an `<error>` object, and what this library raises for
/// bad data. Its text matches Open vSwitch's `ovsdb_error_to_string`:
/// `[syntax "<json>": ]<tag>[: <details>]`.
public struct OVSDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The RFC 7047 error tag: `syntax error`, `constraint violation`, `referential integrity
    /// violation`, `resources exhausted`, `I/O error`, `duplicate uuid-name`, `timed out`, ...
    public var tag: String
    public var details: String?
    /// The offending JSON in canonical text form, when known.
    public var syntax: String?
    /// Table and column the error concerns, when known (for messages that name them).
    public var table: String?
    public var column: String?

    public init(tag: String, details: String? = nil, syntax: String? = nil, table: String? = nil, column: String? = nil) {
        self.tag = tag
        self.details = details
        self.syntax = syntax
        self.table = table
        self.column = column
    }

    static func syntaxError(_ json: JSON?, tag: String = "syntax error", _ details: String) -> OVSDBError {
        OVSDBError(tag: tag, details: details, syntax: json.map { CanonicalJSON.string($0) })
    }

    @usableFromInline static func constraint(_ details: String) -> OVSDBError {
        OVSDBError(tag: "constraint violation", details: details)
    }

    /// Adds table/column context without changing the message Open vSwitch would print.
    @usableFromInline func located(table: String?, column: String?) -> OVSDBError {
        var copy = self
        if copy.table == nil { copy.table = table }
        if copy.column == nil { copy.column = column }
        return copy
    }

    /// Open vSwitch's own text for this error.
    public var ovsText: String {
        var s = ""
        if let syntax { s += "syntax \"\(syntax)\": " }
        s += tag
        if let details { s += ": \(details)" }
        return s
    }

    public var description: String {
        switch (table, column) {
        case let (t?, c?): return "table \(t) column \(c): \(ovsText)"
        case let (t?, nil): return "table \(t): \(ovsText)"
        case let (nil, c?): return "column \(c): \(ovsText)"
        default: return ovsText
        }
    }

    /// Reads the `<error>` object of RFC 7047 (`error`, `details`, and Open vSwitch's `syntax`).
    public init?(json: JSON) {
        guard let object = json.objectValue, let tag = object["error"]?.stringValue else { return nil }
        self.init(tag: tag, details: object["details"]?.stringValue, syntax: object["syntax"]?.stringValue)
    }
}
