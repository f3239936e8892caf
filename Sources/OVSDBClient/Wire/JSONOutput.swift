/// Where the JSON writers put their bytes: an array, or (in the connection) the channel's own
/// buffer, so that a large request is written once, where it is sent from.
public protocol JSONOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeRawBufferPointer)
    mutating func append(utf8 text: String)
}

extension JSONOutput {
    /// A literal's bytes: the fixed parts of the encodings, with no array built.
    mutating func appendASCII(_ text: StaticString) {
        text.withUTF8Buffer { append(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension Array: JSONOutput where Element == UInt8 {
    public mutating func append(bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
    public mutating func append(utf8 text: String) { append(contentsOf: text.utf8) }
}
