/// Why bytes could not be turned into a `JSON` value.
public struct JSONDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parser's own message (for jansson: its `json_error_t.text`).
    public var message: String
    /// Byte offset in the input where parsing stopped.
    public var position: Int

    public var description: String { "JSON parse error at byte \(position): \(message)" }

    /// Runs `decode` on the bytes of `bytes`, keeping the error's type through
    /// `withUnsafeBytes` (which only rethrows untyped).
    static func decoding(_ bytes: [UInt8], with decode: (UnsafeRawBufferPointer) throws(JSONDecodeError) -> JSON) throws(JSONDecodeError) -> JSON {
        do {
            return try bytes.withUnsafeBytes { raw in try decode(raw) }
        } catch let e as JSONDecodeError {
            throw e
        } catch {
            throw JSONDecodeError(message: "\(error)", position: 0)
        }
    }
}
