/// Why bytes could not be turned into a `JSON` value.
public struct JSONDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parser's own message (for jansson: its `json_error_t.text`).
    public var message: String
    /// Byte offset in the input where parsing stopped.
    public var position: Int

    public var description: String { "JSON parse error at byte \(position): \(message)" }
}
