/// Splits the OVSDB JSON-RPC byte stream into whole JSON texts.
///
/// The protocol sends concatenated JSON values with no length prefix, so the only way to find
/// a message's end is to follow nesting depth outside strings. The framer keeps its scan
/// position between calls, so a message arriving in many small reads is scanned once.
public struct StreamFramer: Sendable {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case messageTooLarge(limit: Int)
        /// `offset` counts from the start of the bytes not yet consumed.
        case unexpectedByte(UInt8, offset: Int)
        case unbalanced(offset: Int)

        public var description: String {
            switch self {
            case .messageTooLarge(let limit):
                return "message exceeds the maximum size of \(limit) bytes"
            case .unexpectedByte(let b, let offset):
                return "unexpected byte 0x\(String(b, radix: 16)) between messages at offset \(offset)"
            case .unbalanced(let offset):
                return "unbalanced bracket at offset \(offset)"
            }
        }
    }

    /// 256 MiB: a 100,000-row select reply is about 35 MB.
    public static let defaultMaximumMessageSize = 256 * 1024 * 1024

    public let maximumMessageSize: Int
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var started = false
    /// Bytes of the current message already scanned (relative to its start).
    private var scanned = 0

    public init(maximumMessageSize: Int = StreamFramer.defaultMaximumMessageSize) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// Looks for the end of the next message in `bytes`, which must start where the previous
    /// call's message ended (the caller drops consumed bytes).
    ///
    /// Returns the range of one whole message and the count of bytes to drop (leading
    /// whitespace plus the message), or nil when more bytes are needed.
    public mutating func nextMessage(in bytes: UnsafeRawBufferPointer) throws(Failure) -> (message: Range<Int>, consumed: Int)? {
        var i = 0
        var start = 0
        if !started {
            while i < bytes.count, Self.isWhitespace(bytes[i]) { i += 1 }
            guard i < bytes.count else { return nil }
            let first = bytes[i]
            guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                throw .unexpectedByte(first, offset: i)
            }
            started = true
            scanned = 0
            start = i
        } else {
            while i < bytes.count, Self.isWhitespace(bytes[i]) { i += 1 }
            start = i
            i = start + scanned
        }
        while i < bytes.count {
            let byte = bytes[i]
            i += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { throw .unbalanced(offset: i - 1) }
                if depth == 0 {
                    started = false
                    scanned = 0
                    return (start..<i, i)
                }
            default:
                break
            }
            if i - start > maximumMessageSize { throw .messageTooLarge(limit: maximumMessageSize) }
        }
        scanned = i - start
        if scanned > maximumMessageSize { throw .messageTooLarge(limit: maximumMessageSize) }
        return nil
    }

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }
}
