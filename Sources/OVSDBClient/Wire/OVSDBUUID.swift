/// A row UUID, stored as 128 bits. Ordering follows the canonical lower-case text, which is
/// the order Open vSwitch uses in sets and map keys.
public struct OVSDBUUID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static let zero = OVSDBUUID(high: 0, low: 0)

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either case).
    public init?(_ text: some StringProtocol) {
        self.init(utf8: text.utf8)
    }

    /// Parses the text's UTF-8 bytes (a reader's buffer, with no String made).
    init?(utf8: some Sequence<UInt8>) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        var index = 0
        for byte in utf8 {
            defer { index += 1 }
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if digits < 16 {
                high = high << 4 | UInt64(nibble)
            } else {
                low = low << 4 | UInt64(nibble)
            }
            digits += 1
        }
        guard index == 36, digits == 32 else { return nil }
        self.high = high
        self.low = low
    }

    /// A random (version 4) UUID.
    public static func random() -> OVSDBUUID {
        var g = SystemRandomNumberGenerator()
        let high = (g.next() as UInt64) & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = (g.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return OVSDBUUID(high: high, low: low)
    }

    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(36)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the canonical text (`description`) without building a String.
    func write<Out: JSONOutput>(into out: inout Out) {
        let hex: StaticString = "0123456789abcdef"
        hex.withUTF8Buffer { digits in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
                var position = 0
                for nibbleIndex in 0..<32 {
                    if nibbleIndex == 8 || nibbleIndex == 12 || nibbleIndex == 16 || nibbleIndex == 20 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let word = nibbleIndex < 16 ? high : low
                    let shift = UInt64(60 - (nibbleIndex % 16) * 4)
                    text[position] = digits[Int((word >> shift) & 0xF)]
                    position += 1
                }
                out.append(bytes: UnsafeRawBufferPointer(text))
            }
        }
    }

    public static func < (a: OVSDBUUID, b: OVSDBUUID) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }
}
