/// Bad input, named precisely: file, document, object, field.
public struct ManifestError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    /// 0-based index of the YAML document (or JSON file) in the file.
    public var document: Int?
    public var line: Int?
    /// `Kind namespace/name` when known.
    public var object: String?
    /// A dotted path such as `spec.nodeSelector.matchExpressions[0].operator`.
    public var field: String?
    public var message: String

    public init(file: String, document: Int? = nil, line: Int? = nil, object: String? = nil, field: String? = nil, message: String) {
        self.file = file
        self.document = document
        self.line = line
        self.object = object
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file
        if let line, line > 0 { s += ":\(line)" }
        if let document { s += " (document \(document))" }
        if let object { s += ": \(object)" }
        if let field { s += ": \(field)" }
        return s + ": " + message
    }
}
